import FieldworkBindings
import FieldworkShell
import SwiftUI
import UIKit

/// Photos waiting for the office and those it holds; uploads happen at sync. A photo taken by
/// mistake can be removed by the technician who took it, after a confirmation.
struct PhotoQueueView: View {
    let model: PhotoQueueViewModel
    let sync: SyncStatusViewModel
    @State private var toRemove: PhotoQueueViewModel.Item?

    var body: some View {
        List {
            if let message = model.message {
                Section { UserMessageView(message: message) }
            }
            Section("photos.waiting") {
                ForEach(model.waiting) { item in
                    PhotoRow(model: model, item: item) { toRemove = item }
                }
                Button("photos.upload_now") { sync.requestSync() }
                    .disabled(model.waiting.isEmpty || sync.isSyncing)
            }
            Section("photos.uploaded") {
                ForEach(model.items.filter(\.uploaded)) { item in
                    PhotoRow(model: model, item: item) { toRemove = item }
                }
            }
        }
        .navigationTitle("photos.title")
        .task(id: sync.lastSynced) { await model.load() }
        .confirmationDialog("job.remove_photo_title", isPresented: removing, titleVisibility: .visible, presenting: toRemove) { item in
            Button("job.remove", role: .destructive) {
                Task { await model.remove(item) }
            }
            Button("form.cancel", role: .cancel) {}
        } message: { _ in
            Text("job.remove_photo_message")
        }
    }

    private var removing: Binding<Bool> {
        Binding(
            get: { toRemove != nil },
            set: { shown in
                if !shown { toRemove = nil }
            }
        )
    }
}

/// A photo: its thumbnail (from the core), job, caption and when it was taken (the site's
/// clock); a remove action where the core says `removable`.
struct PhotoRow: View {
    let model: PhotoQueueViewModel
    let item: PhotoQueueViewModel.Item
    let remove: () -> Void

    var body: some View {
        HStack(spacing: 12) {
            HStack(spacing: 12) {
                ThumbnailImage(id: item.id, load: { await model.thumbnail(for: item) }, size: 64)
                VStack(alignment: .leading, spacing: 2) {
                    Text(item.jobId).font(.headline)
                    if let caption = item.caption {
                        Text(caption)
                    }
                    Text(verbatim: SiteTime.dateTime(item.photo.takenAtMs, zone: item.siteTimeZone)).font(.field(.secondary))
                }
                Spacer(minLength: 0)
            }
            .accessibilityElement(children: .combine)
            if item.removable {
                Button(role: .destructive, action: remove) {
                    Image(systemName: "trash").frame(minWidth: FieldMetrics.minimumTouchTarget, minHeight: FieldMetrics.minimumTouchTarget)
                }
                .buttonStyle(.borderless)
                .disabled(model.isWorking)
                .accessibilityLabel(Text("job.remove_photo \(item.photo.accessibilityName(zone: item.siteTimeZone))"))
            }
        }
        .swipeActions {
            if item.removable {
                Button("job.remove", role: .destructive, action: remove)
            }
        }
    }
}
