import FieldworkBindings
import Foundation
import Observation

/// The completion report on the phone. The technician's page lists the sealed versions (PDF
/// to share) and hands the phone to the customer, who goes through the signing steps full
/// screen: the review of what is signed (the core's outline of the report built from the job
/// as it is now: the words its PDF will print, in the language they choose, with the outline's
/// attestation, and who signs), the pad on its own screen, or
/// the refusal (its own sheet: reason and name); then a confirmation, and a screen asking them
/// to hand the phone back before the technician returns to the job.
@MainActor
@Observable
public final class SigningViewModel {
    /// The customer's steps, in order. Refusing is a sheet over the review or the pad.
    public enum Step: Equatable, Sendable {
        /// What is signed, the report's language, the attestation, the signer's name.
        case review
        /// The signature pad, on its own screen (no scroll view to fight the strokes).
        case pad
        /// Sealed: what was sealed (`lastSeal`).
        case confirmation
        /// "Please hand the phone back to the technician".
        case handBack
    }

    public let jobId: String
    public private(set) var language: ReportLanguage
    public var signerName = ""
    public var signerRole = ""
    public var refusalReason = ""
    /// The name of the customer who refuses (optional).
    public var refusalName = ""
    /// The customer's step, or nil while the technician has the phone (the report page).
    public private(set) var step: Step?
    /// The refusal sheet is up.
    public private(set) var isRefusing = false
    public private(set) var recorder: SignatureRecorder
    /// What the customer is about to sign, in the words its PDF will print (`signingPreview`),
    /// fetched again each time the review opens and in the language chosen there; nil while it
    /// is being built (the pad cannot open then).
    public private(set) var preview: ReportOutlineRecord?
    public private(set) var versions: [ReportVersionRecord] = []
    public private(set) var lastSeal: SealRecord?
    public private(set) var message: UserMessage?
    public private(set) var isWorking = false

    private let repository: ReportsRepository

    public init(jobId: String, repository: ReportsRepository, language: ReportLanguage = .zhCn, canvasWidth: Int = 600, canvasHeight: Int = 200) {
        self.jobId = jobId
        self.repository = repository
        self.language = language
        recorder = SignatureRecorder(width: canvasWidth, height: canvasHeight)
    }

    /// The latest version no longer matches the job (a note or part was added after it was
    /// sealed): the customer should sign again, which adds a version and keeps the old one.
    public var changedSinceSigned: Bool {
        guard let latest = versions.last else { return false }
        return !latest.current
    }

    /// The review is read and someone is named to sign: the pad may open.
    public var canContinueToPad: Bool {
        step == .review && preview != nil && !isWorking && !Self.trimmed(signerName).isEmpty
    }

    public var canSign: Bool {
        !isWorking && !recorder.isEmpty && !Self.trimmed(signerName).isEmpty
    }

    public var canRefuse: Bool {
        !isWorking && !Self.trimmed(refusalReason).isEmpty
    }

    /// The sentence the customer confirms by signing, in the report's language, from the
    /// outline (the same words the sealed PDF prints).
    public var attestation: String? {
        preview?.outcome.attestation
    }

    // MARK: The customer's steps.

    /// The technician hands the phone over: the review opens, with the report built from the
    /// job as it is now and nothing left from an earlier signing.
    public func startSigning() async {
        signerName = ""
        signerRole = ""
        refusalReason = ""
        refusalName = ""
        recorder.clear()
        lastSeal = nil
        message = nil
        isRefusing = false
        preview = nil
        step = .review
        await loadPreview()
    }

    /// The customer picks the report's language: the review is built again in it (nothing of
    /// the other language stays on screen meanwhile).
    public func chooseLanguage(_ language: ReportLanguage) async {
        guard language != self.language else { return }
        self.language = language
        preview = nil
        await loadPreview()
    }

    /// From the review to the pad, once someone is named to sign.
    public func continueToPad() {
        guard step == .review else { return }
        guard !Self.trimmed(signerName).isEmpty else {
            message = UserMessage(key: "sign.name_required", recovery: .correctInput)
            return
        }
        guard preview != nil else { return }
        message = nil
        recorder.clear()
        step = .pad
    }

    /// Back from the pad to the review, which is built again from the job.
    public func backToReview() async {
        guard step == .pad else { return }
        recorder.clear()
        message = nil
        preview = nil
        step = .review
        await loadPreview()
    }

    /// The customer refuses to sign: the refusal sheet (reason and name).
    public func beginRefusal() {
        guard step == .review || step == .pad else { return }
        message = nil
        isRefusing = true
    }

    public func cancelRefusal() {
        isRefusing = false
        message = nil
    }

    /// From the confirmation to the screen that asks for the phone back.
    public func handBack() {
        guard step == .confirmation else { return }
        step = .handBack
    }

    /// The technician has the phone again: back to the report page (and the job).
    public func finish() {
        step = nil
        isRefusing = false
        signerName = ""
        signerRole = ""
        refusalReason = ""
        refusalName = ""
        recorder.clear()
        message = nil
    }

    /// Leaves the steps without sealing anything.
    public func cancelSigning() {
        finish()
    }

    // MARK: Touch input from the signature canvas (view coordinates, UITouch timestamps).

    public func canvasResized(width: Int, height: Int) {
        recorder.resize(width: width, height: height)
    }

    public func touchBegan(x: Double, y: Double, timestamp: TimeInterval, force: Double?) {
        recorder.begin(x: x, y: y, timestamp: timestamp, force: force)
    }

    public func touchMoved(x: Double, y: Double, timestamp: TimeInterval, force: Double?) {
        recorder.move(x: x, y: y, timestamp: timestamp, force: force)
    }

    public func touchEnded() {
        recorder.end()
    }

    public func clearSignature() {
        recorder.clear()
    }

    // MARK: The report.

    /// The technician's page: the sealed versions. (The review fetches its own preview each
    /// time it opens.)
    public func load() async {
        do {
            versions = try await repository.versions(jobId: jobId)
        } catch {
            message = ErrorMessages.message(for: error)
        }
    }

    /// What the customer is about to sign, built by the core from the job as it is now, in the
    /// chosen language (a reply for a language no longer chosen is dropped).
    public func loadPreview() async {
        let language = language
        do {
            let built = try await repository.preview(jobId: jobId, language: language)
            if language == self.language {
                preview = built
            }
        } catch {
            message = ErrorMessages.message(for: error)
        }
    }

    /// Seals the signature on the pad. On success the steps go on to the confirmation; a
    /// signature the core refuses (a dot) clears the pad so the customer signs again.
    @discardableResult
    public func sign() async -> Bool {
        let name = Self.trimmed(signerName)
        guard !name.isEmpty else {
            message = UserMessage(key: "sign.name_required", recovery: .correctInput)
            return false
        }
        let role = Self.trimmed(signerRole)
        let strokes = recorder.json()
        let language = language
        let ok = await seal {
            try await $0.sign(jobId: self.jobId, signerName: name, signerRole: role.isEmpty ? nil : role, strokesJSON: strokes, language: language)
        }
        // A sealed signature is done with; a refused one must be drawn again.
        if ok || message?.recovery == .signAgain {
            recorder.clear()
        }
        return ok
    }

    /// Seals the customer's refusal (the reason, and their name if given).
    @discardableResult
    public func refuse() async -> Bool {
        let reason = Self.trimmed(refusalReason)
        guard !reason.isEmpty else {
            message = UserMessage(key: "refuse.reason_required", recovery: .correctInput)
            return false
        }
        let name = Self.trimmed(refusalName)
        let language = language
        let ok = await seal {
            try await $0.refuse(jobId: self.jobId, reason: reason, name: name.isEmpty ? nil : name, language: language)
        }
        if ok {
            isRefusing = false
        }
        return ok
    }

    /// A sealed version's words (the latest if nil), as its PDF prints them, for the
    /// technician to read on the phone.
    public func sealedOutline(version: UInt32?) async -> ReportOutlineRecord? {
        do {
            return try await repository.outline(jobId: jobId, version: version)
        } catch {
            message = ErrorMessages.message(for: error)
            return nil
        }
    }

    /// A photo's thumbnail for the review, nil when this phone does not hold it.
    public func thumbnail(attachmentId: String) async -> Data? {
        try? await repository.photoThumbnail(attachmentId: attachmentId)
    }

    /// Renders a sealed version (the latest if nil) to a PDF file to share.
    public func pdfFile(version: UInt32?) async -> URL? {
        do {
            let data = try await repository.pdf(jobId: jobId, version: version)
            let label = version.map { "v\($0)" } ?? "latest"
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(jobId)-\(label).pdf")
            try data.write(to: url, options: .atomic)
            return url
        } catch {
            message = ErrorMessages.message(for: error)
            return nil
        }
    }

    private func seal(_ work: (ReportsRepository) async throws -> SealRecord) async -> Bool {
        isWorking = true
        defer { isWorking = false }
        do {
            lastSeal = try await work(repository)
            message = nil
            if step != nil {
                step = .confirmation
            }
            await load()
            return true
        } catch {
            message = ErrorMessages.message(for: error)
            return false
        }
    }

    private static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
