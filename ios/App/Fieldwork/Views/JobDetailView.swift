import FieldworkBindings
import FieldworkShell
import PhotosUI
import SwiftUI
import UIKit

/// One job on site: status actions, notes, parts, time, diagnosis, loaners, checklist, photos
/// and the completion report.
struct JobDetailView: View {
    @State private var model: JobDetailViewModel
    let session: AppSession
    @State private var sheet: JobSheet?
    @State private var pickedPhoto: PhotosPickerItem?
    @State private var showsCamera = false

    init(model: JobDetailViewModel, session: AppSession) {
        _model = State(initialValue: model)
        self.session = session
    }

    var body: some View {
        List {
            if let detail = model.detail {
                Section {
                    Text(detail.customer.name).font(.headline)
                    Text(detail.site.address)
                    Text(detail.problem).foregroundStyle(.secondary)
                    if let status = model.status {
                        LabeledContent("job.status") { Text(LocalizedStringKey(status.labelKey)) }
                    }
                    ForEach(model.statusActions, id: \.self) { next in
                        Button(LocalizedStringKey("action." + next.labelKey)) {
                            Task { await model.setStatus(next) }
                        }
                    }
                }
                if let message = model.message {
                    Section { UserMessageView(message: message) }
                }
                SlaSection(sla: detail.sla)
                Section("job.notes") {
                    ForEach(detail.notes) { Text($0.text) }
                    Button("job.add_note") { sheet = .note }
                }
                Section("job.parts") {
                    ForEach(detail.parts.filter { !$0.removed }) { part in
                        LabeledContent(part.sku, value: "× \(part.qty)")
                            .swipeActions {
                                Button("job.remove", role: .destructive) {
                                    Task { await model.removePart(lineId: part.id) }
                                }
                            }
                    }
                    Button("job.add_part") { sheet = .part }
                }
                Section("job.time") {
                    ForEach(detail.time) { entry in
                        LabeledContent(LocalizedStringKey("time." + entry.kind)) {
                            Text(WireTime.parse(entry.start) ?? .now, style: .time)
                        }
                    }
                    Button("job.add_time") { sheet = .time }
                }
                Section("job.diagnosis") {
                    if let cause = detail.cause {
                        LabeledContent(LocalizedStringKey("cause." + cause), value: detail.faultCode ?? "")
                        if let action = detail.action { Text(action) }
                    }
                    Button("job.record_diagnosis") { sheet = .diagnosis }
                }
                Section("job.loaners") {
                    ForEach(detail.loaners.filter(\.isOut)) { loan in
                        LabeledContent(loan.serial, value: loan.model ?? "")
                            .swipeActions {
                                Button("job.return_loaner") {
                                    Task { await model.returnLoaner(serial: loan.serial) }
                                }
                            }
                    }
                    Button("job.issue_loaner") { sheet = .loaner }
                }
                if !detail.checklist.isEmpty {
                    Section("job.checklist") {
                        ForEach(detail.checklist) { check in
                            Button { sheet = .check(check) } label: {
                                LabeledContent(check.label, value: check.result ?? "–")
                            }
                        }
                    }
                }
                Section("job.photos") {
                    LabeledContent("job.photos_count", value: "\(detail.attachments.count)")
                    PhotosPicker("job.pick_photo", selection: $pickedPhoto, matching: .images)
                    if UIImagePickerController.isSourceTypeAvailable(.camera) {
                        Button("job.take_photo") { showsCamera = true }
                    }
                }
                Section("job.report") {
                    Text(LocalizedStringKey("report.status." + detail.report.status))
                    if detail.reportChangedSinceSigned {
                        Label("report.changed_since_signed", systemImage: "exclamationmark.triangle").foregroundStyle(.orange)
                    }
                    NavigationLink("job.open_report") {
                        SigningView(model: session.signing(model.jobId))
                    }
                }
            }
        }
        .navigationTitle(model.jobId)
        .sheet(item: $sheet) { sheet in
            JobEditSheet(sheet: sheet, model: model)
        }
        .sheet(isPresented: $showsCamera) {
            CameraPicker { data in
                Task { await addPhoto(data) }
            }
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
    }

    @MainActor
    private func addPhoto(_ data: Data) async {
        guard let data = PhotoData.forCore(data) else { return }
        await session.photos.add(jobId: model.jobId, data: data, caption: nil)
        await model.load()
    }
}

struct SlaSection: View {
    let sla: JobDetail.Sla?

    var body: some View {
        if let sla {
            Section("job.sla") {
                row("sla.response", sla.response, sla.respondBy)
                row("sla.arrival", sla.arrival, sla.arriveBy)
                row("sla.resolution", sla.resolution, sla.resolveBy)
            }
        }
    }

    @ViewBuilder
    private func row(_ title: LocalizedStringKey, _ milestone: JobDetail.Milestone?, _ due: String?) -> some View {
        if let milestone {
            LabeledContent(title) {
                HStack {
                    Text(LocalizedStringKey("sla.state." + milestone.state))
                    if let date = WireTime.parse(due) {
                        Text(date, style: .relative)
                    }
                }
            }
        }
    }
}
