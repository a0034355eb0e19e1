import FieldworkBindings
import FieldworkShell
import SwiftUI
import UIKit

/// The customer reads what they sign, signs on the glass (or refuses), and the report is
/// sealed on the phone. Sealed versions can be shared as PDF.
struct SigningView: View {
    @State private var model: SigningViewModel
    @State private var refusalName = ""
    @State private var sharedPDF: SharedFile?

    init(model: SigningViewModel) {
        _model = State(initialValue: model)
    }

    var body: some View {
        @Bindable var model = model
        Form {
            Picker("report.language", selection: $model.language) {
                ForEach(ReportLanguage.pickerOrder, id: \.self) { Text(LocalizedStringKey($0.labelKey)).tag($0) }
            }
            if let preview = model.preview {
                Section("report.preview") {
                    Text(preview.content.customer.name).font(.headline)
                    Text(preview.content.problem)
                    ForEach(preview.content.workDone, id: \.text) { Text($0.text) }
                    ForEach(preview.content.parts, id: \.sku) { LabeledContent($0.sku, value: "× \($0.qty)") }
                    LabeledContent("report.labour_minutes", value: "\(preview.content.time.labourMinutes)")
                    LabeledContent("report.photos", value: "\(preview.content.photos.count)")
                }
            }
            if model.changedSinceSigned {
                Label("report.changed_since_signed", systemImage: "exclamationmark.triangle").foregroundStyle(.orange)
            }
            if let message = model.message {
                Section { UserMessageView(message: message) }
            }
            Section("report.sign") {
                TextField("report.signer_name", text: $model.signerName)
                TextField("report.signer_role", text: $model.signerRole)
                SignatureCanvas(model: model)
                    .frame(height: 200)
                    .overlay(RoundedRectangle(cornerRadius: 8).stroke(.secondary))
                HStack {
                    Button("report.clear", role: .destructive) { model.clearSignature() }
                    Spacer()
                    Button("report.sign_button") { Task { await model.sign() } }
                        .disabled(!model.canSign)
                }
                .buttonStyle(.borderless)
            }
            Section("report.refuse") {
                TextField("report.refusal_reason", text: $model.refusalReason, axis: .vertical)
                TextField("report.customer_name", text: $refusalName)
                Button("report.refuse_button", role: .destructive) {
                    Task { await model.refuse(customerName: refusalName) }
                }
                .disabled(!model.canRefuse)
            }
            if !model.versions.isEmpty {
                Section("report.versions") {
                    ForEach(model.versions, id: \.version) { version in
                        Button {
                            Task { await share(version.version) }
                        } label: {
                            LabeledContent("report.version \(Int(version.version))") {
                                Text(LocalizedStringKey("report.status." + (version.current ? version.status : "changed_since_signed")))
                            }
                        }
                    }
                }
            }
        }
        .navigationTitle("report.title")
        .task { await model.load() }
        .onChange(of: model.language) {
            Task { await model.load() }
        }
        .sheet(item: $sharedPDF) { file in
            ShareSheet(items: [file.url])
        }
    }

    @MainActor
    private func share(_ version: UInt32) async {
        if let url = await model.pdfFile(version: version) {
            sharedPDF = SharedFile(url: url)
        }
    }
}

struct SharedFile: Identifiable {
    let url: URL
    var id: URL { url }
}

/// The system share sheet.
struct ShareSheet: UIViewControllerRepresentable {
    let items: [Any]

    func makeUIViewController(context: Context) -> UIActivityViewController {
        UIActivityViewController(activityItems: items, applicationActivities: nil)
    }

    func updateUIViewController(_ controller: UIActivityViewController, context: Context) {}
}
