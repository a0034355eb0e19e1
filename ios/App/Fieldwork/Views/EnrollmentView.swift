import FieldworkShell
import SwiftUI

/// Enrollment: scan the office's QR code (the console's enrollment code page: the address and
/// the code in one), or type them; the office's own CA when it has one; then Enroll, in the
/// bottom bar.
struct EnrollmentView: View {
    @Bindable var model: EnrollmentViewModel
    let onEnrolled: @MainActor () -> Void
    @State private var usesOwnCA = false
    @State private var scanning = false

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    Button {
                        scanning = true
                    } label: {
                        Label("enroll.scan", systemImage: "qrcode.viewfinder")
                    }
                    .buttonStyle(PrimaryActionStyle())
                    .listRowInsets(EdgeInsets(top: 8, leading: 16, bottom: 8, trailing: 16))
                    .accessibilityLabel(Text("enroll.scan"))
                    .accessibilityHint(Text("enroll.scan_hint"))
                } footer: {
                    Text("enroll.scan_footer").font(.field(.secondary))
                }
                Section("enroll.server") {
                    TextField("enroll.server_placeholder", text: $model.serverURL)
                        .textContentType(.URL)
                        .keyboardType(.URL)
                        .textInputAutocapitalization(.never)
                        .autocorrectionDisabled()
                        .accessibilityLabel(Text("enroll.server"))
                    Toggle("enroll.own_ca", isOn: $usesOwnCA)
                        .accessibilityLabel(Text("enroll.own_ca"))
                    if usesOwnCA {
                        TextEditor(text: $model.serverCAPEM)
                            .font(.callout.monospaced())
                            .frame(minHeight: 120)
                            .accessibilityLabel(Text("enroll.ca_pem"))
                    }
                }
                Section("enroll.code") {
                    TextField("enroll.code_placeholder", text: $model.code)
                        .textInputAutocapitalization(.characters)
                        .autocorrectionDisabled()
                        .accessibilityLabel(Text("enroll.code"))
                    TextField("enroll.device_name", text: $model.deviceName)
                        .accessibilityLabel(Text("enroll.device_name"))
                }
            }
            .navigationTitle("enroll.title")
            .safeAreaInset(edge: .bottom) {
                ActionBar {
                    VStack(alignment: .leading, spacing: 8) {
                        if let message = model.message {
                            UserMessageView(message: message)
                        }
                        Button {
                            Task {
                                if await model.enroll() {
                                    onEnrolled()
                                }
                            }
                        } label: {
                            if model.isWorking { ProgressView() } else { Text("enroll.submit") }
                        }
                        .buttonStyle(PrimaryActionStyle())
                        .disabled(!model.canSubmit)
                        .accessibilityLabel(Text("enroll.submit"))
                    }
                }
            }
            .sheet(isPresented: $scanning) {
                CodeScanSheet(title: "enroll.scan", purpose: .enrollment, refusedKey: "enroll.scan_not_enrollment") { payload in
                    model.applyScanned(payload)
                }
            }
            .onChange(of: usesOwnCA) { _, on in
                if !on { model.serverCAPEM = "" }
            }
        }
    }
}
