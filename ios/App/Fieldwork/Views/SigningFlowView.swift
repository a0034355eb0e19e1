import FieldworkBindings
import FieldworkShell
import SwiftUI
import UIKit

/// The customer's steps, full screen over the report page: review, pad (or the refusal sheet),
/// confirmation, hand back. What the customer reads is in the report's language, whatever the
/// phone's (the report itself in the core's words, the controls and messages from that
/// language's Localizable.strings); the one control meant for the technician (back to the job)
/// is in the app's.
struct SigningFlowView: View {
    let model: SigningViewModel
    /// The technician has the phone again.
    let onFinished: () -> Void

    var body: some View {
        ZStack {
            Color(uiColor: .systemBackground).ignoresSafeArea()
            switch model.step ?? .review {
            case .review:
                SigningReviewStep(model: model)
            case .pad:
                SignaturePadStep(model: model)
            case .confirmation:
                SigningConfirmationStep(model: model)
            case .handBack:
                SigningHandBackStep(model: model, onFinished: onFinished)
            }
        }
        .animation(.default, value: model.step)
        .sheet(isPresented: refusing) {
            RefusalSheet(model: model)
        }
    }

    private var refusing: Binding<Bool> {
        Binding(
            get: { model.isRefusing },
            set: { shown in
                if !shown {
                    model.cancelRefusal()
                }
            }
        )
    }
}

// MARK: Review

/// What is signed: the core's outline of the report built from the job as it is now (fetched
/// again each time this step opens), in the exact words its PDF will print and in the language
/// chosen here, the attestation sentence from that outline, and who signs. Refusing is its own
/// action. This step may scroll: the pad is on the next screen.
struct SigningReviewStep: View {
    let model: SigningViewModel

    var body: some View {
        @Bindable var model = model
        let text = model.language.text
        NavigationStack {
            Form {
                Section {
                    Picker(text("sign.language"), selection: languageChoice) {
                        ForEach(ReportLanguage.pickerOrder, id: \.self) { language in
                            Text(verbatim: language.ownName).tag(language)
                        }
                    }
                    .pickerStyle(.segmented)
                    .accessibilityLabel(text("sign.language"))
                }
                if let preview = model.preview {
                    ReportOutlineSections(
                        outline: preview,
                        thumbnail: { await model.thumbnail(attachmentId: $0) },
                        includeAttestation: false
                    )
                } else if model.message == nil {
                    Section {
                        ProgressView()
                            .frame(maxWidth: .infinity)
                            .accessibilityLabel(text("sign.loading"))
                    }
                }
                if let message = model.message {
                    Section { UserMessageView(message: message, localize: text) }
                }
                Section {
                    // The sentence the customer confirms, as the sealed PDF will print it.
                    if let attestation = model.attestation {
                        Label {
                            Text(verbatim: attestation).font(.body.weight(.semibold))
                        } icon: {
                            Image(systemName: "checkmark.seal").accessibilityHidden(true)
                        }
                    }
                    TextField(text("sign.signer_name"), text: $model.signerName)
                        .textContentType(.name)
                        .accessibilityLabel(text("sign.signer_name"))
                    TextField(text("sign.signer_role"), text: $model.signerRole)
                        .textContentType(.jobTitle)
                        .accessibilityLabel(text("sign.signer_role"))
                }
            }
            .navigationTitle(Text(verbatim: text("sign.review_title")))
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button(text("sign.cancel")) { model.cancelSigning() }
                        .accessibilityLabel(text("sign.cancel"))
                }
            }
            .safeAreaInset(edge: .bottom) {
                HStack {
                    Button(role: .destructive) {
                        model.beginRefusal()
                    } label: {
                        Text(verbatim: text("sign.refuse"))
                    }
                    .buttonStyle(.bordered)
                    .disabled(model.isWorking)
                    .accessibilityLabel(text("sign.refuse"))
                    Spacer()
                    Button {
                        model.continueToPad()
                    } label: {
                        Label(text("sign.continue"), systemImage: "signature")
                    }
                    .buttonStyle(.borderedProminent)
                    .disabled(!model.canContinueToPad)
                    .accessibilityLabel(text("sign.continue"))
                    .accessibilityHint(text("sign.continue_hint"))
                }
                .controlSize(.large)
                .padding()
                .background(.bar)
            }
        }
    }

    private var languageChoice: Binding<ReportLanguage> {
        Binding(
            get: { model.language },
            set: { language in
                Task { await model.chooseLanguage(language) }
            }
        )
    }
}

// MARK: Pad

/// The pad on its own screen, outside any scroll view: a signing line with the signer's name
/// under it, Clear and Sign. Portrait or landscape (landscape gives the pad the width).
struct SignaturePadStep: View {
    let model: SigningViewModel
    @Environment(\.verticalSizeClass) private var verticalSizeClass

    var body: some View {
        let text = model.language.text
        Group {
            if verticalSizeClass == .compact {
                HStack(spacing: 16) {
                    SignatureArea(model: model)
                    VStack(spacing: 12) {
                        backButton
                        Spacer()
                        messageView
                        clearButton
                        signButton
                    }
                    .frame(maxWidth: 200)
                }
            } else {
                VStack(spacing: 12) {
                    HStack {
                        backButton
                        Spacer()
                    }
                    Text(verbatim: text("sign.pad_title")).font(.headline)
                    SignatureArea(model: model)
                    Label(text("sign.rotate_hint"), systemImage: "rectangle.landscape.rotate")
                        .font(.field(.secondary))
                        .foregroundStyle(.field(.secondaryText))
                    messageView
                    HStack {
                        clearButton
                        Spacer()
                        signButton
                    }
                }
            }
        }
        .controlSize(.large)
        .padding()
        .statusBarHidden()
        .persistentSystemOverlays(.hidden)
    }

    private var backButton: some View {
        let title = model.language.text("sign.back")
        return Button {
            Task { await model.backToReview() }
        } label: {
            Label(title, systemImage: "chevron.backward")
        }
        .disabled(model.isWorking)
        .accessibilityLabel(title)
    }

    private var clearButton: some View {
        let title = model.language.text("sign.clear")
        return Button(role: .destructive) {
            model.clearSignature()
        } label: {
            Label(title, systemImage: "eraser")
        }
        .buttonStyle(.bordered)
        .disabled(model.recorder.isEmpty || model.isWorking)
        .accessibilityLabel(title)
    }

    private var signButton: some View {
        let title = model.language.text("sign.sign")
        return Button {
            Task { await model.sign() }
        } label: {
            if model.isWorking {
                ProgressView()
            } else {
                Label(title, systemImage: "signature")
            }
        }
        .buttonStyle(.borderedProminent)
        .disabled(!model.canSign)
        .accessibilityLabel(title)
    }

    @ViewBuilder
    private var messageView: some View {
        if let message = model.message {
            UserMessageView(message: message, localize: model.language.text)
        }
    }
}

/// The canvas with the signing line drawn over it (touches go through to the canvas) and the
/// signer's name (and role) under the line.
struct SignatureArea: View {
    let model: SigningViewModel

    var body: some View {
        let text = model.language.text
        ZStack(alignment: .bottomLeading) {
            SignatureCanvas(model: model)
                .accessibilityLabel(text("sign.pad_label"))
                .accessibilityHint(text("sign.pad_hint"))
                .accessibilityAddTraits(.allowsDirectInteraction)
            VStack(alignment: .leading, spacing: 6) {
                HStack(alignment: .bottom, spacing: 8) {
                    Image(systemName: "xmark").font(.title3).foregroundStyle(.field(.secondaryText))
                    Rectangle().fill(.secondary).frame(height: 1.5)
                }
                Text(verbatim: signer).font(.callout).foregroundStyle(.field(.secondaryText))
            }
            .padding(.horizontal, 24)
            .padding(.bottom, 16)
            .allowsHitTesting(false)
            .accessibilityHidden(true)
        }
        .clipShape(RoundedRectangle(cornerRadius: 12))
        .overlay(RoundedRectangle(cornerRadius: 12).strokeBorder(.secondary, lineWidth: 1))
    }

    private var signer: String {
        let name = model.signerName.trimmingCharacters(in: .whitespacesAndNewlines)
        let role = model.signerRole.trimmingCharacters(in: .whitespacesAndNewlines)
        return role.isEmpty ? name : "\(name), \(role)"
    }
}

// MARK: Refusal

/// The customer refuses to sign: why, and their name if they give it.
struct RefusalSheet: View {
    let model: SigningViewModel

    var body: some View {
        @Bindable var model = model
        let text = model.language.text
        NavigationStack {
            Form {
                Section {
                    TextField(text("sign.refusal_reason"), text: $model.refusalReason, axis: .vertical)
                        .lineLimit(3...8)
                        .accessibilityLabel(text("sign.refusal_reason"))
                }
                Section {
                    TextField(text("sign.refusal_name"), text: $model.refusalName)
                        .textContentType(.name)
                        .accessibilityLabel(text("sign.refusal_name"))
                }
                if let message = model.message {
                    Section { UserMessageView(message: message, localize: text) }
                }
            }
            .navigationTitle(Text(verbatim: text("sign.refusal_title")))
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button(text("sign.cancel")) { model.cancelRefusal() }
                        .accessibilityLabel(text("sign.cancel"))
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button(text("sign.record_refusal")) {
                        Task { await model.refuse() }
                    }
                    .disabled(!model.canRefuse)
                    .accessibilityLabel(text("sign.record_refusal"))
                }
            }
        }
        .interactiveDismissDisabled(model.isWorking)
    }
}

// MARK: Confirmation and hand back

/// What was sealed, before the phone goes back.
struct SigningConfirmationStep: View {
    let model: SigningViewModel

    var body: some View {
        let text = model.language.text
        let refused = model.lastSeal?.status == "refused"
        VStack(spacing: 20) {
            Spacer()
            Image(systemName: refused ? "xmark.seal" : "checkmark.seal.fill")
                .font(.system(size: 72))
                .foregroundStyle(.field(refused ? .warning : .riskOnTrack))
                .accessibilityHidden(true)
            Text(verbatim: text(refused ? "sign.done_refused" : "sign.done_signed"))
                .font(.title2.bold())
                .multilineTextAlignment(.center)
            if let seal = model.lastSeal {
                LabeledContent(text("sign.version"), value: "\(seal.version)")
                    .frame(maxWidth: 320)
            }
            Text(verbatim: text("sign.done_detail"))
                .multilineTextAlignment(.center)
                .foregroundStyle(.field(.secondaryText))
            Spacer()
            Button {
                model.handBack()
            } label: {
                Text(verbatim: text("sign.next")).frame(maxWidth: .infinity)
            }
            .buttonStyle(.borderedProminent)
            .controlSize(.large)
            .accessibilityLabel(text("sign.next"))
        }
        .padding(32)
    }
}

/// "Please hand the phone back to the technician", until the technician takes it back.
struct SigningHandBackStep: View {
    let model: SigningViewModel
    let onFinished: () -> Void

    var body: some View {
        VStack(spacing: 24) {
            Spacer()
            Image(systemName: "hand.raised.fill")
                .font(.system(size: 72))
                .foregroundStyle(.tint)
                .accessibilityHidden(true)
            Text(verbatim: model.language.text("sign.hand_back"))
                .font(.largeTitle.bold())
                .multilineTextAlignment(.center)
            Spacer()
            Button(action: onFinished) {
                Text("report.back_to_job").frame(maxWidth: .infinity)
            }
            .buttonStyle(.bordered)
            .controlSize(.large)
            .accessibilityLabel(Text("report.back_to_job"))
        }
        .padding(32)
    }
}

// MARK: The report's language on the customer's screens

extension ReportLanguage {
    /// The app localization the customer's screens use for this report language.
    var localization: String {
        switch self {
        case .zhCn: return "zh-Hans"
        case .en: return "en"
        }
    }

    /// The language's name in itself, for the customer's choice.
    var ownName: String {
        switch self {
        case .zhCn: return "简体中文"
        case .en: return "English"
        }
    }

    /// A Localizable.strings entry in this language, whatever the phone's language is.
    func text(_ key: String) -> String {
        guard let path = Bundle.main.path(forResource: localization, ofType: "lproj"), let bundle = Bundle(path: path) else {
            return Bundle.main.localizedString(forKey: key, value: nil, table: nil)
        }
        return bundle.localizedString(forKey: key, value: nil, table: nil)
    }
}
