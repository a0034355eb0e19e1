import FieldworkShell
import SwiftUI
import UIKit

/// Photos waiting for the office and those it holds; uploads happen at sync.
struct PhotoQueueView: View {
    let model: PhotoQueueViewModel
    let sync: SyncStatusViewModel

    var body: some View {
        List {
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

struct PhotoRow: View {
    let model: PhotoQueueViewModel
    let item: PhotoQueueViewModel.Item
    @State private var image: UIImage?

    var body: some View {
        HStack {
            Group {
                if let image {
                    Image(uiImage: image).resizable().scaledToFill()
                } else {
                    Color.secondary.opacity(0.2)
                }
            }
            .frame(width: 56, height: 56)
            .clipShape(RoundedRectangle(cornerRadius: 6))
            VStack(alignment: .leading) {
                Text(item.jobId).font(.headline)
                if let caption = item.caption { Text(caption) }
                Text(ByteCountFormatter.string(fromByteCount: item.bytes, countStyle: .file)).font(.caption)
            }
        }
        .task(id: item.id) {
            if let data = await model.imageData(for: item) {
                image = UIImage(data: data)
            }
        }
    }
}
