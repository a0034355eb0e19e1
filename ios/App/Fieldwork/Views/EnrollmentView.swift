import FieldworkShell
import SwiftUI

struct EnrollmentView: View {
    @Bindable var model: EnrollmentViewModel
    let onEnrolled: @MainActor () -> Void
    @State private var usesOwnCA = false

    var body: some View {
        NavigationStack {
            Form {
                Section("enroll.server") {
                    TextField("enroll.server_placeholder", text: $model.serverURL)
                        .textContentType(.URL)
                        .keyboardType(.URL)
                        .textInputAutocapitalization(.never)
                        .autocorrectionDisabled()
                    Toggle("enroll.own_ca", isOn: $usesOwnCA)
                    if usesOwnCA {
                        TextEditor(text: $model.serverCAPEM)
                            .font(.caption.monospaced())
                            .frame(minHeight: 120)
                    }
                }
                Section("enroll.code") {
                    TextField("enroll.code_placeholder", text: $model.code)
                        .textInputAutocapitalization(.characters)
                        .autocorrectionDisabled()
                    TextField("enroll.device_name", text: $model.deviceName)
                }
                if let message = model.message {
                    Section { UserMessageView(message: message) }
                }
                Section {
                    Button {
                        Task {
                            if await model.enroll() {
                                onEnrolled()
                            }
                        }
                    } label: {
                        if model.isWorking { ProgressView() } else { Text("enroll.submit") }
                    }
                    .disabled(!model.canSubmit)
                }
            }
            .navigationTitle("enroll.title")
            .onChange(of: usesOwnCA) { _, on in
                if !on { model.serverCAPEM = "" }
            }
        }
    }
}
