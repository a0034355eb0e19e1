import FieldworkShell
import SwiftUI

struct TodayView: View {
    @Bindable var model: TodayViewModel
    let session: AppSession

    var body: some View {
        List(model.rows) { row in
            NavigationLink(value: row.id) {
                JobRowView(row: row)
            }
        }
        .overlay {
            if model.rows.isEmpty {
                ContentUnavailableView("today.empty", systemImage: "checkmark.circle")
            }
        }
        .navigationTitle("today.title")
        .navigationDestination(for: String.self) { jobId in
            JobDetailView(model: session.jobDetail(jobId), session: session)
        }
        .toolbar {
            ToolbarItem(placement: .topBarLeading) {
                Toggle("today.show_all", isOn: $model.showAll).toggleStyle(.button)
            }
            ToolbarItem(placement: .topBarTrailing) {
                SyncBadge(model: session.sync)
            }
        }
        .safeAreaInset(edge: .bottom) {
            if let message = model.message {
                UserMessageView(message: message).padding().background(.bar)
            }
        }
        .refreshable {
            session.sync.requestSync()
            await model.load()
        }
        .onChange(of: model.showAll) {
            Task { await model.load() }
        }
        .task { await model.load() }
        .task { await model.observeChanges() }
    }
}

struct JobRowView: View {
    let row: JobRow

    var body: some View {
        HStack(alignment: .top, spacing: 12) {
            Circle().fill(row.slaRisk.color).frame(width: 12, height: 12).padding(.top, 4)
            VStack(alignment: .leading, spacing: 2) {
                Text(row.customer).font(.headline)
                Text(row.address).font(.subheadline).foregroundStyle(.secondary)
                HStack {
                    Text(LocalizedStringKey(row.status.labelKey))
                    if let start = row.scheduledStart {
                        Text(start, style: .time)
                    }
                    if let due = row.slaDue, row.slaRisk != .none {
                        Text("today.sla_due \(due.formatted(date: .omitted, time: .shortened))")
                    }
                }
                .font(.caption)
                if row.pendingSync {
                    Label("today.pending_sync", systemImage: "icloud.and.arrow.up").font(.caption2)
                }
                if let error = row.syncError {
                    Label(error, systemImage: "exclamationmark.triangle").font(.caption2).foregroundStyle(.red)
                }
            }
        }
    }
}

extension SlaRisk {
    var color: Color {
        switch self {
        case .none: return .gray
        case .onTrack: return .green
        case .atRisk: return .orange
        case .breached: return .red
        }
    }
}

/// The sync state in a toolbar: the status's symbol in its colour; tapping it sends now.
struct SyncBadge: View {
    let model: SyncStatusViewModel

    var body: some View {
        let indicator = model.indicator
        Button {
            model.requestSync()
        } label: {
            if model.isSyncing {
                ProgressView()
            } else {
                Image(systemName: indicator.systemImage).foregroundStyle(indicator.tone.color)
            }
        }
        .accessibilityLabel(Text(LocalizedStringKey(indicator.key)))
        .accessibilityHint(Text("sync.send_now_hint"))
    }
}
