import FieldworkShell
import SwiftUI

struct TodayView: View {
    @Bindable var model: TodayViewModel
    let session: AppSession
    /// Black on white for sunlight, whatever the phone's settings (as Android's switch on Today).
    @AppStorage(FieldSettings.highContrastKey) private var highContrast = false

    var body: some View {
        List {
            Section {
                // The van's stock: levels, transfers to count in, parts to send back.
                NavigationLink {
                    StockView(model: session.stock, sync: session.sync)
                } label: {
                    Label("today.van_stock", systemImage: "shippingbox")
                }
                .accessibilityLabel(Text("today.van_stock"))
            }
            Section {
                ForEach(model.rows) { row in
                    NavigationLink(value: row.id) {
                        JobRowView(row: row)
                    }
                }
                if model.rows.isEmpty {
                    ContentUnavailableView("today.empty", systemImage: "checkmark.circle")
                }
            }
        }
        .navigationTitle("today.title")
        .navigationDestination(for: String.self) { jobId in
            JobDetailView(model: session.jobDetail(jobId), session: session)
        }
        .toolbar {
            ToolbarItem(placement: .topBarLeading) {
                Toggle("today.show_all", isOn: $model.showAll)
                    .toggleStyle(.button)
                    .accessibilityLabel(Text("today.show_all"))
            }
            ToolbarItemGroup(placement: .topBarTrailing) {
                Toggle(isOn: $highContrast) {
                    Label("today.high_contrast", systemImage: "circle.lefthalf.filled")
                }
                .toggleStyle(.button)
                .accessibilityLabel(Text("today.high_contrast"))
                .accessibilityValue(Text(LocalizedStringKey(highContrast ? "today.on" : "today.off")))
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
        .task {
            // The minutes left are the core's as of the call: read them again each minute.
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                await model.load()
            }
        }
    }
}

struct JobRowView: View {
    let row: JobRow

    var body: some View {
        let words = row.slaWords
        HStack(alignment: .top, spacing: 12) {
            // The risk's own symbol in its colour (never the colour alone), its words beside it.
            Image(systemName: row.slaRisk.systemImage)
                .foregroundStyle(row.slaRisk.color)
                .font(.field(.headline))
                .frame(width: 24)
                .padding(.top, 2)
                .accessibilityLabel(Text(verbatim: words?.phrase ?? ""))
                .accessibilityHidden(words == nil)
            VStack(alignment: .leading, spacing: 4) {
                Text(row.customer).font(.headline)
                Text(row.address).foregroundStyle(.field(.secondaryText))
                HStack {
                    Text(LocalizedStringKey(row.status.labelKey))
                    if let start = row.scheduledStart {
                        // The site's clock, in the locale's own 12- or 24-hour style.
                        Text(verbatim: SiteTime.time(start.epochMilliseconds, zone: row.siteTimeZone))
                    }
                }
                .font(.field(.secondary))
                // The risk in words beside the dot: "Overdue 20 min", "At risk, 15 min left"
                // (VoiceOver reads them once, as the dot's label).
                SlaRiskLabel(risk: row.slaRisk, words: words)
                    .font(.callout.weight(.semibold))
                    .accessibilityHidden(true)
                if row.pendingSync {
                    Label("today.pending_sync", systemImage: "icloud.and.arrow.up").font(.field(.secondary))
                }
                // In the phone's language; the office's English words are behind "Details" on
                // the job screen.
                if let refusal = row.syncRefusal {
                    Label {
                        Text(verbatim: refusal.text(appText))
                    } icon: {
                        Image(systemName: "exclamationmark.triangle")
                    }
                    .font(.field(.secondary))
                    .foregroundStyle(.field(.error))
                }
            }
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
