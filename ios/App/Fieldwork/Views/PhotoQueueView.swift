import FieldworkShell
import SwiftUI
import UIKit

/// Photos waiting for the office and those it holds; uploads happen at sync.
struct PhotoQueueView: View {
    let model: PhotoQueueViewModel
    let sync: SyncStatusViewModel

    var body: some View {
        List {
            if let message = model.message {
                Section { UserMessageView(message: message) }
            }
            Section("photos.waiting") {
                ForEach(model.waiting) { item in
                    PhotoRow(model: model, item: item)
                }
                Button("photos.upload_now") { sync.requestSync() }
                    .disabled(model.waiting.isEmpty || sync.isSyncing)
            }
            Section("photos.uploaded") {
                ForEach(model.items.filter(\.uploaded)) { item in
                    PhotoRow(model: model, item: item)
                }
            }
        }
        .navigationTitle("photos.title")
        .task(id: sync.lastSynced) { await model.load() }
    }
}

/// A photo: its thumbnail (from the core), job, caption and when it was taken.
struct PhotoRow: View {
    let model: PhotoQueueViewModel
    let item: PhotoQueueViewModel.Item

    var body: some View {
        HStack(spacing: 12) {
            ThumbnailImage(id: item.id, load: { await model.thumbnail(for: item) }, size: 64)
            VStack(alignment: .leading, spacing: 2) {
                Text(item.jobId).font(.headline)
                if let caption = item.caption {
                    Text(caption)
                }
                Text(item.takenAt, format: .dateTime.day().month().hour().minute()).font(.subheadline)
            }
        }
        .accessibilityElement(children: .combine)
    }
}
