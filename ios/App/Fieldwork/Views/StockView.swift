import FieldworkBindings
import FieldworkShell
import SwiftUI

/// The technician's van: each part's level (its name in the phone's language, SKU, on hand with
/// its unit, in transit, and the core's flags in words with the jobs behind them), each
/// transfer on its way with "Count in", "Send back" per part, a count of the van, and what waits
/// for the office or it refused. Everything is the core's `vanStock`; every movement works
/// offline and the screen reloads after it, on every change the core reports and after a sync.
struct StockView: View {
    let model: StockViewModel
    let sync: SyncStatusViewModel
    @State private var sheet: StockSheet?

    var body: some View {
        List {
            switch model.state {
            case .loading:
                Section {
                    ProgressView()
                        .frame(maxWidth: .infinity)
                        .accessibilityLabel(Text("stock.loading"))
                }
            case .noVan:
                Section {
                    ContentUnavailableView {
                        Label("stock.no_van", systemImage: "box.truck")
                    } description: {
                        Text("stock.no_van_hint")
                    }
                }
            case .error(let message):
                Section { UserMessageView(message: message) }
            case .loaded(let stock):
                notesSection(stock)
                levelsSection(stock)
                if !stock.inTransit.isEmpty {
                    transfersSection(stock)
                }
            }
        }
        .navigationTitle("stock.title")
        .safeAreaInset(edge: .bottom) {
            if model.stock != nil {
                actionBar
            }
        }
        .sheet(item: $sheet) { sheet in
            StockEditSheet(sheet: sheet, model: model)
        }
        .refreshable {
            sync.requestSync()
            await model.refresh()
        }
        // At first and after each successful sync (the office's transfers and refusals arrive
        // then); a part used on a job reaches the screen through the core's change stream.
        .task(id: sync.lastSynced) { await model.load() }
        .task { await model.observeChanges() }
    }

    private var actionBar: some View {
        ActionBar {
            VStack(alignment: .leading, spacing: 8) {
                if let message = model.message, sheet == nil {
                    UserMessageView(message: message)
                }
                Button {
                    sheet = .count
                } label: {
                    Label("stock.count_van", systemImage: "checklist")
                }
                .buttonStyle(PrimaryActionStyle())
                .disabled(model.isWorking || model.levels.isEmpty)
                .accessibilityLabel(Text("stock.count_van"))
            }
        }
    }

    // MARK: Sections

    @ViewBuilder
    private func notesSection(_ stock: VanStockRecord) -> some View {
        if stock.pending > 0 || !stock.refused.isEmpty {
            Section {
                if stock.pending > 0 {
                    Label("stock.pending \(Int64(clamping: stock.pending))", systemImage: "icloud.and.arrow.up")
                        .font(.field(.secondary))
                }
                ForEach(Array(model.refusals.enumerated()), id: \.offset) { _, refusal in
                    SyncRefusalView(refusal: refusal)
                }
            }
        }
    }

    private func levelsSection(_ stock: VanStockRecord) -> some View {
        Section {
            if stock.levels.isEmpty {
                Text("stock.levels_empty").foregroundStyle(.field(.secondaryText))
            }
            ForEach(stock.levels, id: \.sku) { level in
                StockLevelRow(level: level) {
                    sheet = .sendBack(level)
                }
                .disabled(model.isWorking)
            }
        } header: {
            Text("stock.van \(stock.location)")
        }
    }

    private func transfersSection(_ stock: VanStockRecord) -> some View {
        Section("stock.in_transit") {
            ForEach(stock.inTransit, id: \.id) { transfer in
                VStack(alignment: .leading, spacing: 6) {
                    VStack(alignment: .leading, spacing: 4) {
                        Text("stock.transfer_from \(transfer.from)").font(.headline)
                        // Beside where it comes from, when it was sent: the phone's clock (a
                        // transfer belongs to no site), in its locale.
                        Text("stock.transfer_sent \(model.sentAt(transfer))")
                            .font(.field(.secondary))
                            .foregroundStyle(.field(.secondaryText))
                        ForEach(transfer.lines, id: \.sku) { line in
                            Text("stock.transfer_line \(partName(line.sku, in: stock)) \(line.qty) \(unit(line.sku, in: stock))")
                        }
                    }
                    .accessibilityElement(children: .combine)
                    Button {
                        sheet = .receive(transfer)
                    } label: {
                        Label("stock.count_in", systemImage: "shippingbox.and.arrow.backward")
                    }
                    .buttonStyle(SecondaryActionStyle())
                    .disabled(model.isWorking)
                    .accessibilityLabel(Text("stock.count_in_label \(transfer.from)"))
                }
                .padding(.vertical, 4)
            }
        }
    }

    private func partName(_ sku: String, in stock: VanStockRecord) -> String {
        stock.levels.first { $0.sku == sku }?.name(chinese: appIsChinese) ?? sku
    }

    private func unit(_ sku: String, in stock: VanStockRecord) -> String {
        stock.levels.first { $0.sku == sku }?.unit ?? ""
    }
}

/// One part's level: name in the phone's language, SKU, on hand with its unit (below zero said
/// as it is), in transit, the core's flags in words with the jobs behind them, and "Send back".
struct StockLevelRow: View {
    let level: StockLevelRecord
    let sendBack: () -> Void

    var body: some View {
        let name = level.name(chinese: appIsChinese)
        HStack(alignment: .top, spacing: 12) {
            VStack(alignment: .leading, spacing: 4) {
                Text(verbatim: name).font(.headline)
                Text(verbatim: level.sku)
                    .font(.field(.secondary))
                    .foregroundStyle(.field(.secondaryText))
                Text("stock.on_hand \(level.qty) \(level.unit)")
                if level.inTransit != 0 {
                    Text("stock.in_transit_qty \(level.inTransit) \(level.unit)")
                        .font(.field(.secondary))
                }
                ForEach(level.flags, id: \.self) { flag in
                    Label {
                        Text(LocalizedStringKey(flag.labelKey))
                    } icon: {
                        Image(systemName: "exclamationmark.triangle.fill")
                    }
                    .font(.field(.secondary))
                    .foregroundStyle(.field(.warning))
                }
                if !level.flags.isEmpty && !level.jobs.isEmpty {
                    Text("stock.flag_jobs \(level.jobs.joined(separator: ", "))")
                        .font(.field(.secondary))
                }
            }
            .accessibilityElement(children: .combine)
            Spacer(minLength: 0)
            Button(action: sendBack) {
                Text("stock.send_back")
                    .frame(minHeight: FieldMetrics.minimumTouchTarget)
            }
            .buttonStyle(.bordered)
            .accessibilityLabel(Text("stock.send_back_label \(name)"))
        }
    }
}

enum StockSheet: Identifiable {
    /// Count a transfer in as it arrived.
    case receive(TransferRecord)
    /// Count the van.
    case count
    /// Send a part back to the warehouse.
    case sendBack(StockLevelRecord)

    var id: String {
        switch self {
        case .receive(let transfer): return "receive-" + transfer.id
        case .count: return "count"
        case .sendBack(let level): return "send-back-" + level.sku
        }
    }
}

/// The stock screen's forms; each closes when the core accepted the movement and says why in
/// the phone's language when it refused it.
struct StockEditSheet: View {
    let sheet: StockSheet
    let model: StockViewModel
    @Environment(\.dismiss) private var dismiss

    @State private var lines: [CountLine]
    @State private var form: ReturnForm

    init(sheet: StockSheet, model: StockViewModel) {
        self.sheet = sheet
        self.model = model
        switch sheet {
        case .receive(let transfer):
            // Prefilled with what was sent.
            _lines = State(initialValue: model.countLines(for: transfer, chinese: appIsChinese))
            _form = State(initialValue: ReturnForm(sku: ""))
        case .count:
            // Prefilled with the levels shown.
            _lines = State(initialValue: model.countLines(chinese: appIsChinese))
            _form = State(initialValue: ReturnForm(sku: ""))
        case .sendBack(let level):
            _lines = State(initialValue: [])
            _form = State(initialValue: ReturnForm(sku: level.sku))
        }
    }

    var body: some View {
        NavigationStack {
            Form {
                fields
                if let message = model.message {
                    UserMessageView(message: message)
                }
            }
            .navigationTitle(title)
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button("form.cancel") { dismiss() }
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button("form.save") {
                        Task {
                            if await save() { dismiss() }
                        }
                    }
                    .disabled(model.isWorking)
                }
            }
        }
        .onAppear { model.dismissMessage() }
    }

    private var title: LocalizedStringKey {
        switch sheet {
        case .receive: return "stock.count_in"
        case .count: return "stock.count_van"
        case .sendBack: return "stock.send_back"
        }
    }

    @ViewBuilder
    private var fields: some View {
        switch sheet {
        case .receive(let transfer):
            Section {
                Text("stock.count_in_hint")
                    .font(.field(.secondary))
                    .foregroundStyle(.field(.secondaryText))
            } header: {
                Text("stock.transfer_from \(transfer.from)")
            }
            countFields(expectedKey: "stock.sent")
        case .count:
            Section {
                Text("stock.count_van_hint")
                    .font(.field(.secondary))
                    .foregroundStyle(.field(.secondaryText))
            }
            countFields(expectedKey: "stock.shown")
        case .sendBack(let level):
            Section {
                Text(verbatim: level.name(chinese: appIsChinese)).font(.headline)
                Text(verbatim: level.sku).font(.field(.secondary)).foregroundStyle(.field(.secondaryText))
                Text("stock.on_hand \(level.qty) \(level.unit)")
            }
            Section {
                Stepper(value: $form.qty, in: 1...9999) {
                    Text("form.qty \(form.qty)")
                }
                .accessibilityValue(Text(verbatim: "\(form.qty)"))
                Picker("stock.reason", selection: $form.reason) {
                    ForEach(ReturnReasonRecord.pickerOrder, id: \.self) { reason in
                        Text(LocalizedStringKey(reason.labelKey)).tag(reason)
                    }
                }
            }
            // The serials: required (and said so) for a part the catalogue tracks by serial,
            // one per part; the view model checks them before anything is written.
            let serialised = model.isSerialised(level.sku)
            let serialsLabel: LocalizedStringKey = serialised ? "stock.serials_required" : "stock.serials"
            let serialsHint: LocalizedStringKey = serialised ? "stock.serials_hint_required" : "stock.serials_hint"
            Section {
                TextField(serialsLabel, text: $form.serials, axis: .vertical)
                    .textInputAutocapitalization(.characters)
                    .autocorrectionDisabled()
                    .accessibilityLabel(Text(serialsLabel))
                    .accessibilityHint(Text(serialsHint))
                TextField("stock.job", text: $form.jobId)
                    .textInputAutocapitalization(.characters)
                    .autocorrectionDisabled()
                    .accessibilityLabel(Text("stock.job"))
            } footer: {
                Text(serialsHint)
            }
        }
    }

    /// A quantity per part, each with what was sent (or shown) beside it.
    private func countFields(expectedKey: String) -> some View {
        Section {
            ForEach($lines) { $line in
                VStack(alignment: .leading, spacing: 4) {
                    Text(verbatim: line.name).font(.headline)
                    Text(verbatim: line.sku).font(.field(.secondary)).foregroundStyle(.field(.secondaryText))
                    Stepper(value: $line.qty, in: 0...99_999) {
                        Text("stock.counted \(Int64(line.qty)) \(line.unit)")
                    }
                    .accessibilityLabel(Text(verbatim: line.name))
                    .accessibilityValue(Text("stock.counted \(Int64(line.qty)) \(line.unit)"))
                    Text(verbatim: String(format: appText(expectedKey), line.expected, line.unit))
                        .font(.field(.secondary))
                        .foregroundStyle(.field(.secondaryText))
                }
            }
        }
    }

    @MainActor
    private func save() async -> Bool {
        switch sheet {
        case .receive(let transfer): return await model.receive(transferId: transfer.id, lines: lines)
        case .count: return await model.count(lines)
        case .sendBack: return await model.returnPart(form)
        }
    }
}
