import FieldworkBindings
import FieldworkShell
import PhotosUI
import SwiftUI
import UIKit

/// One job on site, rendered from the core's `JobDetailRecord`: who and where (the customer's
/// phone one tap away), the status and the statuses the core offers, the SLA in words, notes by
/// role, parts (remove where the core allows), time (with the core's proposals from the status
/// timeline), diagnosis, loaners, checklist, charges, photos with thumbnails (remove where the
/// core allows) and the completion report; the office's refusal of the job's last changes in
/// the phone's language. Times read as the site's clock, in the locale's 12- or 24-hour style.
struct JobDetailView: View {
    @State private var model: JobDetailViewModel
    let session: AppSession
    @State private var sheet: JobSheet?
    @State private var pickedPhoto: PhotosPickerItem?
    @State private var showsCamera = false
    @State private var confirmingComplete = false
    @State private var partToRemove: PartLineRecord?
    @State private var photoToRemove: PhotoRecord?

    init(model: JobDetailViewModel, session: AppSession) {
        _model = State(initialValue: model)
        self.session = session
    }

    var body: some View {
        List {
            if let detail = model.detail {
                Group {
                    JobHeaderSection(detail: detail)
                    statusSection(detail)
                    if let refusal = model.syncRefusal {
                        Section { SyncRefusalView(refusal: refusal) }
                    }
                    if let sla = detail.sla {
                        SlaSection(model: model, sla: sla, zone: detail.site.timeZone)
                    }
                }
                Group {
                    notesSection(detail)
                    partsSection(detail)
                    timeSection(detail)
                    diagnosisSection(detail)
                    loanersSection(detail)
                    if !detail.checklist.isEmpty {
                        checklistSection(detail)
                    }
                    if let charges = detail.charges {
                        ChargesSection(charges: charges)
                    }
                    photosSection(detail)
                    reportSection(detail)
                }
            } else if let message = model.message {
                Section { UserMessageView(message: message) }
            }
        }
        .navigationTitle(model.jobId)
        // The next steps stay under the thumb whatever the list's scroll, with a refused
        // edit's message right above them.
        .safeAreaInset(edge: .bottom) {
            if model.detail != nil {
                actionBar
            }
        }
        .sheet(item: $sheet) { sheet in
            JobEditSheet(sheet: sheet, model: model)
        }
        .sheet(isPresented: $showsCamera) {
            CameraPicker { data in
                Task { await addPhoto(data) }
            }
        }
        .confirmationDialog("job.complete_confirm_title", isPresented: $confirmingComplete, titleVisibility: .visible) {
            Button("action.status.completed") {
                Task { await model.setStatus(.completed) }
            }
            Button("form.cancel", role: .cancel) {}
        } message: {
            Text("job.complete_confirm_message")
        }
        .confirmationDialog("job.remove_part_title", isPresented: removingPart, titleVisibility: .visible, presenting: partToRemove) { part in
            Button("job.remove", role: .destructive) {
                Task { await model.removePart(lineId: part.id) }
            }
            Button("form.cancel", role: .cancel) {}
        } message: { part in
            Text(verbatim: part.description.isEmpty ? part.sku : "\(part.sku) · \(part.description)")
        }
        .confirmationDialog("job.remove_photo_title", isPresented: removingPhoto, titleVisibility: .visible, presenting: photoToRemove) { photo in
            Button("job.remove", role: .destructive) {
                Task { await model.removePhoto(attachmentId: photo.id) }
            }
            Button("form.cancel", role: .cancel) {}
        } message: { _ in
            Text("job.remove_photo_message")
        }
        .onChange(of: pickedPhoto) { _, item in
            guard let item else { return }
            Task {
                if let data = try? await item.loadTransferable(type: Data.self) {
                    await addPhoto(data)
                }
                pickedPhoto = nil
            }
        }
        .task { await model.load() }
        .task { await model.observeChanges() }
        .task {
            // The SLA's minutes left are the core's as of the call: read them again each minute.
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                await model.load()
            }
        }
    }

    private var removingPart: Binding<Bool> {
        Binding(
            get: { partToRemove != nil },
            set: { shown in
                if !shown { partToRemove = nil }
            }
        )
    }

    private var removingPhoto: Binding<Bool> {
        Binding(
            get: { photoToRemove != nil },
            set: { shown in
                if !shown { photoToRemove = nil }
            }
        )
    }

    // MARK: Sections

    @ViewBuilder
    private func statusSection(_ detail: JobDetailRecord) -> some View {
        Section {
            LabeledContent("job.status") { Text(LocalizedStringKey(detail.status.labelKey)) }
                .accessibilityElement(children: .combine)
        }
    }

    /// The bottom bar: exactly the statuses the core offers (the visit's next step as the main
    /// action, on the right; a hold before it, outlined), 56 pt tall; completing asks first (it
    /// is not undone). After completion, signing the report.
    private var actionBar: some View {
        let actions = model.barActions
        return ActionBar {
            VStack(alignment: .leading, spacing: 8) {
                if let message = model.message {
                    UserMessageView(message: message)
                }
                HStack(spacing: 12) {
                    ForEach(actions.secondary, id: \.self) { next in
                        Button { statusTapped(next) } label: {
                            Text(LocalizedStringKey("action." + next.labelKey))
                        }
                        .buttonStyle(SecondaryActionStyle())
                        .accessibilityLabel(Text(LocalizedStringKey("action." + next.labelKey)))
                    }
                    if let main = actions.primary {
                        Button { statusTapped(main) } label: {
                            Text(LocalizedStringKey("action." + main.labelKey))
                        }
                        .buttonStyle(PrimaryActionStyle())
                        .accessibilityLabel(Text(LocalizedStringKey("action." + main.labelKey)))
                    } else if model.offersSigning {
                        NavigationLink {
                            SigningView(model: session.signing(model.jobId))
                        } label: {
                            Label("job.sign_report", systemImage: "signature")
                        }
                        .buttonStyle(PrimaryActionStyle())
                        .accessibilityLabel(Text("job.sign_report"))
                    }
                }
                .disabled(model.isWorking)
            }
        }
    }

    private func statusTapped(_ next: JobStatus) {
        if next == .completed {
            confirmingComplete = true
        } else {
            Task { await model.setStatus(next) }
        }
    }

    @ViewBuilder
    private func notesSection(_ detail: JobDetailRecord) -> some View {
        let zone = detail.site.timeZone
        Section("job.notes") {
            ForEach(detail.notes, id: \.id) { note in
                VStack(alignment: .leading, spacing: 4) {
                    HStack {
                        if let key = note.authorRole.labelKey {
                            Text(LocalizedStringKey(key)).font(.field(.secondary).weight(.semibold))
                        } else {
                            Text("note.by_colleague \(note.authorName ?? note.author)").font(.field(.secondary).weight(.semibold))
                        }
                        Spacer()
                        Text(verbatim: SiteTime.dateTime(note.atMs, zone: zone))
                            .font(.field(.secondary))
                            .foregroundStyle(.field(.secondaryText))
                    }
                    Text(note.text)
                }
                .accessibilityElement(children: .combine)
            }
            Button("job.add_note") { sheet = .note }
        }
    }

    @ViewBuilder
    private func partsSection(_ detail: JobDetailRecord) -> some View {
        Section("job.parts") {
            ForEach(detail.parts, id: \.id) { part in
                HStack(alignment: .top) {
                    VStack(alignment: .leading, spacing: 2) {
                        HStack {
                            Text(verbatim: part.sku).font(.headline)
                            Spacer()
                            Text("job.qty \(Int(part.qty))")
                        }
                        if !part.description.isEmpty {
                            Text(part.description)
                        }
                        if let serial = part.serialIn {
                            Text("job.serial_in \(serial)").font(.field(.secondary))
                        }
                        if let serial = part.serialOut {
                            Text("job.serial_out \(serial)").font(.field(.secondary))
                        }
                    }
                    .accessibilityElement(children: .combine)
                    // Only the technician who added a line may remove it: the core says which.
                    if part.removable {
                        Button(role: .destructive) {
                            partToRemove = part
                        } label: {
                            Image(systemName: "trash").frame(minWidth: FieldMetrics.minimumTouchTarget, minHeight: FieldMetrics.minimumTouchTarget)
                        }
                        .buttonStyle(.borderless)
                        .accessibilityLabel(Text("job.remove_part \(part.sku)"))
                    }
                }
                .swipeActions {
                    if part.removable {
                        Button("job.remove", role: .destructive) { partToRemove = part }
                    }
                }
            }
            Button("job.add_part") { sheet = .part }
        }
    }

    @ViewBuilder
    private func timeSection(_ detail: JobDetailRecord) -> some View {
        let zone = detail.site.timeZone
        Section("job.time") {
            ForEach(detail.time, id: \.id) { entry in
                LabeledContent {
                    VStack(alignment: .trailing) {
                        Text(verbatim: Self.entrySpan(entry, zone: zone))
                        Text("job.minutes \(Int((entry.endMs - entry.startMs) / 60_000))")
                            .font(.field(.secondary))
                            .foregroundStyle(.field(.secondaryText))
                    }
                } label: {
                    Text(LocalizedStringKey(entry.kind.labelKey))
                }
                .accessibilityElement(children: .combine)
            }
            // The core's proposals from the status timeline: add each as it is, or edit it first.
            ForEach(model.proposedTimes, id: \.self) { proposal in
                ProposedTimeRow(
                    proposal: proposal,
                    zone: zone,
                    isWorking: model.isWorking,
                    add: { Task { await model.addProposedTime(proposal) } },
                    edit: { sheet = .time(proposal) }
                )
            }
            Button("job.add_time") { sheet = .time(nil) }
        }
    }

    @ViewBuilder
    private func diagnosisSection(_ detail: JobDetailRecord) -> some View {
        Section("job.diagnosis") {
            if let diagnosis = detail.diagnosis {
                LabeledContent {
                    Text(verbatim: diagnosis.faultCode)
                } label: {
                    Text(LocalizedStringKey(diagnosis.cause.labelKey))
                }
                .accessibilityElement(children: .combine)
                if let action = diagnosis.action {
                    Text(action)
                }
            }
            if detail.replacementRecommended {
                Label("job.replacement_recommended", systemImage: "arrow.triangle.2.circlepath")
                    .foregroundStyle(.field(.warning))
            }
            Button("job.record_diagnosis") { sheet = .diagnosis }
        }
    }

    @ViewBuilder
    private func loanersSection(_ detail: JobDetailRecord) -> some View {
        let zone = detail.site.timeZone
        Section("job.loaners") {
            ForEach(Array(detail.loaners.enumerated()), id: \.offset) { _, loan in
                VStack(alignment: .leading, spacing: 4) {
                    HStack {
                        Text(verbatim: loan.serial).font(.headline)
                        if let unit = loan.model {
                            Text(verbatim: unit)
                        }
                    }
                    if let returned = loan.returnedAtMs {
                        Text("job.loaner_returned_at \(SiteTime.dateTime(returned, zone: zone))")
                            .font(.field(.secondary))
                            .foregroundStyle(.field(.secondaryText))
                    } else {
                        Text("job.loaner_out_since \(SiteTime.dateTime(loan.issuedAtMs, zone: zone))")
                            .font(.field(.secondary))
                        Button("job.return_loaner") {
                            Task { await model.returnLoaner(serial: loan.serial) }
                        }
                        .buttonStyle(.bordered)
                        .accessibilityLabel(Text("job.return_loaner_label \(loan.serial)"))
                    }
                }
            }
            Button("job.issue_loaner") { sheet = .loaner }
        }
    }

    @ViewBuilder
    private func checklistSection(_ detail: JobDetailRecord) -> some View {
        Section("job.checklist") {
            ForEach(detail.checklist, id: \.item) { check in
                Button { sheet = .check(check) } label: {
                    LabeledContent {
                        Text(verbatim: Self.result(of: check))
                    } label: {
                        Text(verbatim: check.label)
                        if let note = check.note {
                            Text(verbatim: note)
                        }
                    }
                }
                .accessibilityElement(children: .combine)
            }
        }
    }

    @ViewBuilder
    private func photosSection(_ detail: JobDetailRecord) -> some View {
        let zone = detail.site.timeZone
        Section("job.photos") {
            if !detail.photos.isEmpty {
                ScrollView(.horizontal) {
                    LazyHStack(alignment: .top, spacing: 12) {
                        ForEach(detail.photos, id: \.id) { photo in
                            VStack(alignment: .leading, spacing: 4) {
                                VStack(alignment: .leading, spacing: 4) {
                                    ThumbnailImage(id: photo.id, load: { await model.thumbnail(for: photo) }, size: 96)
                                    if let caption = photo.caption {
                                        Text(verbatim: caption).font(.field(.secondary)).lineLimit(2)
                                    }
                                    Text(verbatim: SiteTime.time(photo.takenAtMs, zone: zone)).font(.field(.secondary))
                                    Label(LocalizedStringKey(photo.uploaded ? "job.photo_uploaded" : "job.photo_waiting"),
                                          systemImage: photo.uploaded ? "checkmark.icloud" : "icloud.and.arrow.up")
                                        .font(.field(.secondary))
                                }
                                .accessibilityElement(children: .combine)
                                // Only the technician who took a photo may remove it: the core says which.
                                if photo.removable {
                                    Button(role: .destructive) {
                                        photoToRemove = photo
                                    } label: {
                                        Label("job.remove", systemImage: "trash")
                                            .font(.field(.secondary))
                                            .frame(minWidth: FieldMetrics.minimumTouchTarget, minHeight: FieldMetrics.minimumTouchTarget)
                                    }
                                    .buttonStyle(.borderless)
                                    .disabled(model.isWorking)
                                    .accessibilityLabel(Text("job.remove_photo \(photo.accessibilityName(zone: zone))"))
                                }
                            }
                            .frame(width: 96)
                            .contextMenu {
                                if photo.removable {
                                    Button("job.remove", systemImage: "trash", role: .destructive) { photoToRemove = photo }
                                }
                            }
                        }
                    }
                }
            }
            if let message = session.photos.message {
                UserMessageView(message: message)
            }
            PhotosPicker("job.pick_photo", selection: $pickedPhoto, matching: .images)
            if UIImagePickerController.isSourceTypeAvailable(.camera) {
                Button("job.take_photo") { showsCamera = true }
            }
        }
    }

    @ViewBuilder
    private func reportSection(_ detail: JobDetailRecord) -> some View {
        Section("job.report") {
            LabeledContent("report.state") {
                Text(LocalizedStringKey(detail.report.state.labelKey))
            }
            .accessibilityElement(children: .combine)
            if let version = detail.report.version {
                Text("report.version \(Int(version))")
            }
            if model.reportChangedSinceSigned {
                Label("report.changed_since_signed", systemImage: "exclamationmark.triangle").foregroundStyle(.field(.warning))
            }
            NavigationLink("job.open_report") {
                SigningView(model: session.signing(model.jobId))
            }
        }
    }

    /// A time entry's span at the site: "24 Nov 2026, 08:10 – 08:45", the end's date too when
    /// it ends on another day.
    private static func entrySpan(_ entry: TimeEntryRecord, zone: String) -> String {
        let end = SiteTime.sameDay(entry.startMs, entry.endMs, zone: zone)
            ? SiteTime.time(entry.endMs, zone: zone)
            : SiteTime.dateTime(entry.endMs, zone: zone)
        return "\(SiteTime.dateTime(entry.startMs, zone: zone)) – \(end)"
    }

    /// A checklist result as recorded: pass, fail, or the measured value with its unit.
    private static func result(of check: CheckRecord) -> String {
        guard let value = check.result else { return "–" }
        switch value {
        case "pass": return appText("form.result_pass")
        case "fail": return appText("form.result_fail")
        default: return [value, check.unit ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
        }
    }

    @MainActor
    private func addPhoto(_ data: Data) async {
        guard let data = PhotoData.forCore(data) else { return }
        await session.photos.add(jobId: model.jobId, data: data, caption: nil)
        await model.load()
    }
}

/// Who and where: the customer (their phone one tap away), the site as its region and time
/// zone, the asset, priority, kind, the problem and when it is scheduled.
struct JobHeaderSection: View {
    let detail: JobDetailRecord

    var body: some View {
        Section {
            Text(detail.customer.name).font(.field(.title))
            if let call = detail.customer.callURL {
                Link(destination: call) {
                    Label(detail.customer.phone, systemImage: "phone.fill")
                        .frame(minHeight: FieldMetrics.minimumTouchTarget)
                }
                .accessibilityLabel(Text("job.call \(detail.customer.name)"))
                .accessibilityValue(Text(verbatim: detail.customer.phone))
            }
            VStack(alignment: .leading, spacing: 2) {
                Text(detail.site.address)
                HStack(spacing: 4) {
                    Text(LocalizedStringKey(detail.site.region.labelKey))
                    Text(verbatim: "· \(detail.site.timeZone)")
                }
                .font(.field(.secondary))
                .foregroundStyle(.field(.secondaryText))
            }
            .accessibilityElement(children: .combine)
            let asset = [detail.asset.model, detail.asset.serial].filter { !$0.isEmpty }
            if !asset.isEmpty {
                LabeledContent("job.asset") { Text(verbatim: asset.joined(separator: " · ")) }
                    .accessibilityElement(children: .combine)
            }
            LabeledContent("job.priority") { Text(LocalizedStringKey(detail.priority.labelKey)) }
                .accessibilityElement(children: .combine)
            LabeledContent("job.kind") { Text(LocalizedStringKey(detail.kind.labelKey)) }
                .accessibilityElement(children: .combine)
            if let start = detail.scheduledStartMs {
                LabeledContent("job.scheduled") { Text(verbatim: SiteTime.dateTime(start, zone: detail.site.timeZone)) }
                    .accessibilityElement(children: .combine)
            }
            Text(detail.problem)
            if let reason = detail.cancelReason {
                LabeledContent("job.cancel_reason") { Text(reason) }
                    .accessibilityElement(children: .combine)
            }
        }
    }
}

/// The SLA: its headline in words (as the job list's row), the clock paused on hold, a loaner
/// owed, and each milestone with its deadline at the site, its state and the time left.
struct SlaSection: View {
    let model: JobDetailViewModel
    let sla: SlaRecord
    let zone: String

    var body: some View {
        Section("job.sla") {
            if let words = model.slaWords {
                SlaRiskLabel(risk: model.slaRisk, words: words).font(.headline)
            } else {
                Text(LocalizedStringKey(sla.state.labelKey)).font(.headline)
            }
            if sla.paused {
                Label("sla.paused", systemImage: "pause.circle")
            }
            if sla.loanerRequired {
                Label("sla.loaner_required", systemImage: "exclamationmark.triangle.fill")
                    .foregroundStyle(.field(.warning))
            }
            ForEach(model.milestones) { line in
                VStack(alignment: .leading, spacing: 2) {
                    HStack {
                        Text(LocalizedStringKey(line.kind.labelKey)).font(.headline)
                        Spacer()
                        Text(LocalizedStringKey(line.state.labelKey))
                    }
                    Text("sla.due_at \(SiteTime.dateTime(line.dueMs, zone: zone))").font(.field(.secondary))
                    if let met = line.metAtMs {
                        Text("sla.met_at \(SiteTime.dateTime(met, zone: zone))").font(.field(.secondary))
                    }
                    if let words = line.words {
                        SlaRiskLabel(risk: SlaRisk.of(state: line.state), words: words).font(.field(.secondary))
                    }
                }
                .accessibilityElement(children: .combine)
            }
        }
    }
}

/// What the customer will be charged, line by line, as the report and its PDF show it.
struct ChargesSection: View {
    let charges: ChargesRecord

    var body: some View {
        Section("job.charges") {
            ForEach(Array(charges.lines.enumerated()), id: \.offset) { _, line in
                VStack(alignment: .leading, spacing: 2) {
                    HStack {
                        Text(LocalizedStringKey(line.kind.labelKey))
                        Spacer()
                        Text(verbatim: money(line.amountMinor))
                    }
                    switch line.kind {
                    case .part:
                        Text(verbatim: line.description.isEmpty ? line.sku : "\(line.sku) · \(line.description)")
                            .font(.field(.secondary))
                        Text("charge.part_qty \(Int(line.qty)) \(money(line.unitMinor))")
                            .font(.field(.secondary))
                            .foregroundStyle(.field(.secondaryText))
                    case .labour:
                        Text("job.minutes \(Int(line.qty))")
                            .font(.field(.secondary))
                            .foregroundStyle(.field(.secondaryText))
                    case .travel:
                        EmptyView()
                    }
                }
                .accessibilityElement(children: .combine)
            }
            LabeledContent("job.charges_total") {
                Text(verbatim: money(charges.totalMinor)).bold()
            }
            .accessibilityElement(children: .combine)
            if charges.provisional {
                Text("job.charges_provisional").font(.field(.secondary))
            }
        }
    }

    private func money(_ minor: Int64) -> String {
        Money.text(minor: minor, currency: charges.currency)
    }
}

/// Time the core read from the status timeline and the technician has not recorded: "Travel
/// 08:10–08:45, add?" at the site's clock, with Add (recorded as it is) and Edit (the time
/// form, filled in with it).
struct ProposedTimeRow: View {
    let proposal: ProposedTimeRecord
    let zone: String
    let isWorking: Bool
    let add: () -> Void
    let edit: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            VStack(alignment: .leading, spacing: 2) {
                Label {
                    Text(verbatim: proposal.text(zone: zone, appText))
                } icon: {
                    Image(systemName: proposal.kind == .travel ? "car" : "wrench.and.screwdriver")
                }
                .font(.headline)
                Text("job.time_proposal_source").font(.field(.secondary)).foregroundStyle(.field(.secondaryText))
            }
            .accessibilityElement(children: .combine)
            HStack(spacing: 12) {
                Button(action: add) {
                    Text("job.time_proposal_add").frame(maxWidth: .infinity, minHeight: FieldMetrics.minimumTouchTarget)
                }
                .buttonStyle(.borderedProminent)
                .accessibilityLabel(Text(verbatim: proposal.text("job.time_proposal_add_label", zone: zone, appText)))
                Button(action: edit) {
                    Text("job.time_proposal_edit").frame(maxWidth: .infinity, minHeight: FieldMetrics.minimumTouchTarget)
                }
                .buttonStyle(.bordered)
                .accessibilityLabel(Text(verbatim: proposal.text("job.time_proposal_edit_label", zone: zone, appText)))
            }
            .disabled(isWorking)
        }
        .padding(.vertical, 4)
    }
}
