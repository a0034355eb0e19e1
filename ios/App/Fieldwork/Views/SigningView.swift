import FieldworkBindings
import FieldworkShell
import SwiftUI
import UIKit

/// The technician's page of the completion report: where it stands, the sealed versions (each
/// read in its PDF's words, and shared as a PDF), and handing the phone to the customer, whose steps (review, pad or
/// refusal, confirmation, hand back) take the whole screen. When they are done the page
/// returns to the job.
struct SigningView: View {
    @State private var model: SigningViewModel
    @State private var sharedPDF: SharedFile?
    @State private var returnToJob = false
    @Environment(\.dismiss) private var dismiss

    init(model: SigningViewModel) {
        _model = State(initialValue: model)
    }

    var body: some View {
        List {
            Section {
                LabeledContent("report.state") {
                    Text(LocalizedStringKey("report.status." + latestStatus))
                }
                if model.changedSinceSigned {
                    Label("report.changed_since_signed", systemImage: "exclamationmark.triangle")
                        .foregroundStyle(.field(.warning))
                }
            }
            if let message = model.message, model.step == nil {
                Section { UserMessageView(message: message) }
            }
            Section {
                Button {
                    Task { await model.startSigning() }
                } label: {
                    Label("report.hand_to_customer", systemImage: "signature")
                }
                .accessibilityLabel(Text("report.hand_to_customer"))
                .accessibilityHint(Text("report.hand_to_customer_footer"))
            } footer: {
                Text("report.hand_to_customer_footer")
            }
            if !model.versions.isEmpty {
                Section("report.versions") {
                    ForEach(model.versions, id: \.version) { version in
                        // Read it as its PDF words it; share the PDF from there or by a swipe.
                        NavigationLink {
                            SealedReportView(model: model, version: version.version)
                        } label: {
                            LabeledContent("report.version \(Int(version.version))") {
                                Text(LocalizedStringKey("report.status." + (version.current ? version.status : "changed_since_signed")))
                            }
                        }
                        .accessibilityHint(Text("report.read_version_hint"))
                        .swipeActions {
                            Button {
                                Task { await share(version.version) }
                            } label: {
                                Label("report.share_pdf", systemImage: "square.and.arrow.up")
                            }
                            .accessibilityLabel(Text("report.share_version \(Int(version.version))"))
                        }
                    }
                }
            }
        }
        .navigationTitle("report.title")
        .task { await model.load() }
        .fullScreenCover(isPresented: customerHasThePhone, onDismiss: afterCustomerSteps) {
            SigningFlowView(model: model) {
                returnToJob = true
                model.finish()
            }
        }
        .sheet(item: $sharedPDF) { file in
            ShareSheet(items: [file.url])
        }
    }

    /// `none`, `signed`, `refused` or `changed_since_signed`: the report.status.* keys.
    private var latestStatus: String {
        guard let latest = model.versions.last else { return "none" }
        return latest.current ? latest.status : "changed_since_signed"
    }

    private var customerHasThePhone: Binding<Bool> {
        Binding(
            get: { model.step != nil },
            set: { presented in
                if !presented {
                    model.cancelSigning()
                }
            }
        )
    }

    private func afterCustomerSteps() {
        Task { await model.load() }
        if returnToJob {
            returnToJob = false
            dismiss()
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
