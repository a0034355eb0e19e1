import FieldworkShell
import SwiftUI

/// Sync at a glance: what it is doing (symbol, colour and words: offline has its own symbol
/// and colour), what went wrong and what to do, when it tries again, the last successful send
/// and how many jobs and photos wait to be sent (the core's `syncState`, kept across
/// restarts), and "Send now".
struct SyncStatusView: View {
    let model: SyncStatusViewModel

    var body: some View {
        List {
            Section {
                SyncHeadline(model: model)
                if let problem = model.problem, model.phase != .syncing {
                    UserMessageView(message: problem)
                }
                if let next = model.nextAttempt {
                    Text("sync.next_attempt \(next.formatted(date: .omitted, time: .shortened))")
                        .font(.field(.secondary))
                }
            }
            Section {
                LabeledContent("sync.last_sent") {
                    LastSentText(date: model.lastSynced)
                }
                .accessibilityElement(children: .combine)
                LabeledContent("sync.pending", value: "\(model.pendingChanges)")
                    .accessibilityElement(children: .combine)
                LabeledContent("sync.pending_photos", value: "\(model.pendingPhotos)")
                    .accessibilityElement(children: .combine)
                if let report = model.lastReport {
                    LabeledContent("sync.last_counts", value: "↑\(report.uploaded) ↓\(report.downloaded) 📷\(report.attachmentsUploaded)")
                }
            }
            Section {
                Button {
                    model.requestSync()
                } label: {
                    Label("sync.send_now", systemImage: "paperplane")
                }
                .disabled(!model.canSendNow)
                .accessibilityLabel(Text("sync.send_now"))
                .accessibilityHint(Text("sync.send_now_hint"))
            } footer: {
                if !model.isOnline {
                    Text("sync.send_now_offline")
                } else if model.phase == .waitingForOffice {
                    Text("sync.send_now_held")
                }
            }
        }
        .navigationTitle("sync.title")
        .task { await model.refreshState() }
    }
}

/// The status line: symbol and headline in the state's colour (never the colour alone).
struct SyncHeadline: View {
    let model: SyncStatusViewModel

    var body: some View {
        let indicator = model.indicator
        Label {
            Text(LocalizedStringKey(indicator.key)).font(.headline)
        } icon: {
            Image(systemName: indicator.systemImage)
                .symbolEffect(.pulse, isActive: model.isSyncing)
        }
        .foregroundStyle(indicator.tone.color)
        .accessibilityElement(children: .ignore)
        .accessibilityLabel(Text("sync.status_label"))
        .accessibilityValue(Text(LocalizedStringKey(indicator.key)))
    }
}

/// "3 minutes ago", kept current; "not sent yet" before the first successful sync.
struct LastSentText: View {
    let date: Date?

    var body: some View {
        if let date {
            TimelineView(.periodic(from: .now, by: 30)) { _ in
                Text(date.formatted(.relative(presentation: .named, unitsStyle: .wide)))
            }
        } else {
            Text("sync.never_sent")
        }
    }
}

extension SyncIndicator.Tone {
    /// The palette's colour for the tone (light, dark, high contrast).
    var color: FieldColor { .field(colorRole) }
}
