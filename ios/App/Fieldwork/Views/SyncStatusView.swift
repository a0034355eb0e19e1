import FieldworkShell
import SwiftUI

/// What sync is doing, what it last did, and what the user must do when it stopped.
struct SyncStatusView: View {
    let model: SyncStatusViewModel

    var body: some View {
        List {
            Section {
                switch model.state {
                case .idle:
                    Label("sync.idle", systemImage: "checkmark.icloud")
                case .syncing:
                    Label("sync.syncing", systemImage: "arrow.triangle.2.circlepath")
                case .offline(let next):
                    Label("sync.offline", systemImage: "wifi.slash")
                    Text("sync.next_attempt \(next.formatted(date: .omitted, time: .shortened))").font(.caption)
                case .waitingForOffice(let next):
                    Label("sync.waiting_for_office", systemImage: "hourglass")
                    Text("sync.next_attempt \(next.formatted(date: .omitted, time: .shortened))").font(.caption)
                case .retrying(let next, let message):
                    UserMessageView(message: message)
                    Text("sync.next_attempt \(next.formatted(date: .omitted, time: .shortened))").font(.caption)
                case .stopped(let message):
                    UserMessageView(message: message)
                }
                LabeledContent("sync.pending", value: "\(model.pendingChanges)")
                if let last = model.lastSynced {
                    LabeledContent("sync.last") { Text(last, style: .relative) }
                }
                if let report = model.lastReport {
                    LabeledContent("sync.last_counts", value: "↑\(report.uploaded) ↓\(report.downloaded) 📷\(report.attachmentsUploaded)")
                }
            }
            Section {
                Button("sync.now") { model.requestSync() }
                    .disabled(model.isSyncing)
            }
        }
        .navigationTitle("sync.title")
        .task { await model.refreshPending() }
    }
}
