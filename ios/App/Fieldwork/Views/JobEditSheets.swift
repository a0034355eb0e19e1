import FieldworkBindings
import FieldworkShell
import SwiftUI

enum JobSheet: Identifiable {
    case note, part, diagnosis, loaner
    /// Travel or labour time; filled in with a proposal of the core's when editing one.
    case time(ProposedTimeRecord?)
    case check(CheckRecord)

    var id: String {
        switch self {
        case .note: return "note"
        case .part: return "part"
        case .time(let proposal):
            guard let proposal else { return "time" }
            return "time-\(proposal.kind.labelKey)-\(proposal.startMs)-\(proposal.endMs)"
        case .diagnosis: return "diagnosis"
        case .loaner: return "loaner"
        case .check(let check): return "check-" + check.item
        }
    }
}

/// The small forms of the job screen; each closes when the core accepted the edit, and says
/// why in the phone's language when it refused it (the field in words, never the core's
/// English detail). Times are picked on the site's clock, in the locale's 12- or 24-hour style.
struct JobEditSheet: View {
    let sheet: JobSheet
    let model: JobDetailViewModel
    @Environment(\.dismiss) private var dismiss

    @State private var text = ""
    @State private var part = PartForm()
    @State private var scanning: PartScanTarget?
    /// The van's part picked for the part form ("" while typed or scanned).
    @State private var vanSku = ""
    @State private var timeKind = TimeKind.labour
    @State private var start = Date().addingTimeInterval(-3600)
    @State private var end = Date()
    @State private var cause = FaultCause.qualityDefect
    @State private var faultCode = ""
    @State private var serial = ""
    @State private var loanerModel = ""
    @State private var measured = ""
    @State private var verdict = "pass"

    init(sheet: JobSheet, model: JobDetailViewModel) {
        self.sheet = sheet
        self.model = model
        // Editing a proposal: the form starts from the core's kind and times.
        if case .time(let proposal?) = sheet {
            _timeKind = State(initialValue: proposal.kind)
            _start = State(initialValue: proposal.start)
            _end = State(initialValue: proposal.end)
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
        .task {
            // What the van holds, for the part picker (none without a van).
            if case .part = sheet {
                await model.loadVanParts(chinese: appIsChinese)
            }
        }
        .sheet(item: $scanning) { target in
            switch target {
            case .field(let field):
                CodeScanSheet(title: field.scanTitleKey, purpose: .part(field), refusedKey: "scan.nothing_read") { payload in
                    part.fill(field, scanned: payload)
                }
            case .vanPicker:
                CodeScanSheet(title: "scan.van_part", purpose: .part(.sku), refusedKey: "scan.nothing_read") { payload in
                    takeVanScan(payload)
                }
            }
        }
    }

    /// A code scanned into the van picker: the view model says whether it is a part of the van
    /// (picked, as from the list) or the serial fitted (filled in; the part is then picked).
    private func takeVanScan(_ payload: String) -> Bool {
        let scan = model.vanScan(payload)
        if case .part(let picked) = scan {
            vanSku = picked.sku
        }
        return part.apply(scan)
    }

    /// The van picker's choice: picking a part fills the SKU and description from it.
    private var vanPick: Binding<String> {
        Binding(
            get: { vanSku },
            set: { sku in
                vanSku = sku
                if let picked = model.vanParts.first(where: { $0.sku == sku }) {
                    part.pick(picked)
                }
            }
        )
    }

    /// A part form field with a scan button beside it (56 pt, for a gloved thumb).
    private func scannable(_ field: PartScanField, text: Binding<String>) -> some View {
        HStack(spacing: 8) {
            TextField(field.labelKey, text: text)
                .textInputAutocapitalization(.characters)
                .autocorrectionDisabled()
                .accessibilityLabel(Text(field.labelKey))
            Button {
                scanning = .field(field)
            } label: {
                Image(systemName: "barcode.viewfinder")
                    .font(.title2)
                    .frame(width: FieldMetrics.primaryActionHeight, height: FieldMetrics.primaryActionHeight)
            }
            .buttonStyle(.borderless)
            .accessibilityLabel(Text(field.scanTitleKey))
        }
    }

    @ViewBuilder
    private var fields: some View {
        switch sheet {
        case .note:
            TextField("form.note", text: $text, axis: .vertical).lineLimit(3...8)
        case .part:
            // A part from what the van holds (its SKU and name fill the form; the core takes it
            // out of the van when the line is saved), or the part number and serials typed, or
            // scanned from the label (QR, Code 128, Code 39, EAN-13, Data Matrix).
            if !model.vanParts.isEmpty {
                HStack(spacing: 8) {
                    Picker("form.from_van", selection: vanPick) {
                        Text("form.from_van_none").tag("")
                        ForEach(model.vanParts) { van in
                            Text("form.van_part \(van.name) \(van.onHand) \(van.unit)").tag(van.sku)
                        }
                    }
                    .accessibilityLabel(Text("form.from_van"))
                    // Scan straight into the picker: a part number picks its part, a serial
                    // fills the serial fitted.
                    Button {
                        scanning = .vanPicker
                    } label: {
                        Image(systemName: "barcode.viewfinder")
                            .font(.title2)
                            .frame(width: FieldMetrics.primaryActionHeight, height: FieldMetrics.primaryActionHeight)
                    }
                    .buttonStyle(.borderless)
                    .accessibilityLabel(Text("scan.van_part"))
                }
                if let picked = model.vanParts.first(where: { $0.sku == vanSku }), picked.serialised {
                    Text("form.serialised_hint")
                        .font(.field(.secondary))
                        .foregroundStyle(.field(.secondaryText))
                }
            }
            scannable(.sku, text: $part.sku)
            TextField("form.description", text: $part.description)
                .accessibilityLabel(Text("form.description"))
            Stepper(value: $part.qty, in: 1...999) { Text("form.qty \(part.qty)") }
            scannable(.serialIn, text: $part.serialIn)
            scannable(.serialOut, text: $part.serialOut)
            Picker("form.stock", selection: $part.stock) {
                Text("form.stock_none").tag("")
                Text("form.stock_van").tag("van")
                Text("form.stock_warehouse").tag("warehouse")
            }
        case .time(let proposal):
            Picker("form.time_kind", selection: $timeKind) {
                ForEach(TimeKind.pickerOrder, id: \.self) { Text(LocalizedStringKey($0.labelKey)).tag($0) }
            }
            // The site's clock, as the job screen reads times (the locale's own 12/24-hour style).
            Group {
                DatePicker("form.start", selection: $start)
                DatePicker("form.end", selection: $end)
            }
            .environment(\.timeZone, SiteTime.timeZone(model.siteTimeZone ?? TimeZone.current.identifier))
            if proposal != nil {
                Text("job.time_proposal_source").font(.field(.secondary)).foregroundStyle(.field(.secondaryText))
            }
        case .diagnosis:
            Picker("form.cause", selection: $cause) {
                ForEach(FaultCause.pickerOrder, id: \.self) { Text(LocalizedStringKey($0.labelKey)).tag($0) }
            }
            TextField("form.fault_code", text: $faultCode)
            TextField("form.action", text: $text, axis: .vertical)
        case .loaner:
            TextField("form.serial", text: $serial)
            TextField("form.model", text: $loanerModel)
        case .check(let check):
            Text(check.label)
            Picker("form.result", selection: $verdict) {
                Text("form.result_pass").tag("pass")
                Text("form.result_fail").tag("fail")
                Text("form.result_measured").tag("measured")
            }
            .pickerStyle(.segmented)
            if verdict == "measured" {
                HStack {
                    TextField("form.measured", text: $measured).keyboardType(.decimalPad)
                    if let unit = check.unit { Text(unit) }
                }
            }
            TextField("form.note", text: $text)
        }
    }

    @MainActor
    private func save() async -> Bool {
        switch sheet {
        case .note: return await model.addNote(text)
        case .part: return await model.addPart(part)
        case .time: return await model.addTime(kind: timeKind, start: start, end: end)
        case .diagnosis: return await model.recordDiagnosis(cause: cause, faultCode: faultCode, action: text)
        case .loaner: return await model.issueLoaner(serial: serial, model: loanerModel)
        case .check(let check):
            let result: CheckResult
            switch verdict {
            case "fail": result = .fail
            case "measured":
                guard let value = Double(measured.replacingOccurrences(of: ",", with: ".")) else { return false }
                result = .measured(value)
            default: result = .pass
            }
            return await model.recordCheck(item: check.item, result: result, note: text)
        }
    }
}

/// What the camera reads for the part form: one field, or the van picker (a part number or a
/// serial, the view model says which).
enum PartScanTarget: Identifiable {
    case field(PartScanField)
    case vanPicker

    var id: String {
        switch self {
        case .field(let field): return field.id
        case .vanPicker: return "van-picker"
        }
    }
}

extension PartScanField {
    var labelKey: LocalizedStringKey {
        switch self {
        case .sku: return "form.sku"
        case .serialIn: return "form.serial_in"
        case .serialOut: return "form.serial_out"
        }
    }

    /// "Scan the part number", "Scan the serial fitted", "Scan the serial removed".
    var scanTitleKey: LocalizedStringKey {
        switch self {
        case .sku: return "scan.part_number"
        case .serialIn: return "scan.serial_in"
        case .serialOut: return "scan.serial_out"
        }
    }
}
