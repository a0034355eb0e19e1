import FieldworkBindings
import Foundation
import Observation

/// The completion report on the phone: show what the customer is about to sign, record their
/// signature from touch events, seal it (or their refusal) offline, list the sealed versions
/// and render the PDF to share.
@MainActor
@Observable
public final class SigningViewModel {
    public let jobId: String
    public var language: ReportLanguage
    public var signerName = ""
    public var signerRole = ""
    public var refusalReason = ""
    public private(set) var recorder: SignatureRecorder
    public private(set) var preview: ReportPreview?
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

    public var canSign: Bool {
        !isWorking && !recorder.isEmpty && !signerName.trimmingCharacters(in: .whitespaces).isEmpty
    }

    public var canRefuse: Bool {
        !isWorking && !refusalReason.trimmingCharacters(in: .whitespaces).isEmpty
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

    public func load() async {
        do {
            preview = try await repository.preview(jobId: jobId, language: language)
            versions = try await repository.versions(jobId: jobId)
        } catch {
            message = ErrorMessages.message(for: error)
        }
    }

    @discardableResult
    public func sign() async -> Bool {
        let name = signerName.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else {
            message = UserMessage(key: "sign.name_required", recovery: .correctInput)
            return false
        }
        let role = signerRole.trimmingCharacters(in: .whitespaces)
        let strokes = recorder.json()
        let ok = await seal {
            try await $0.sign(jobId: self.jobId, signerName: name, signerRole: role.isEmpty ? nil : role, strokesJSON: strokes, language: self.language)
        }
        // A sealed signature is done with; a refused one must be drawn again.
        if ok || message?.recovery == .signAgain {
            recorder.clear()
        }
        return ok
    }

    @discardableResult
    public func refuse(customerName: String?) async -> Bool {
        let reason = refusalReason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty else {
            message = UserMessage(key: "refuse.reason_required", recovery: .correctInput)
            return false
        }
        let name = customerName?.trimmingCharacters(in: .whitespaces)
        return await seal {
            try await $0.refuse(jobId: self.jobId, reason: reason, name: name?.isEmpty == false ? name : nil, language: self.language)
        }
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
            await load()
            return true
        } catch {
            message = ErrorMessages.message(for: error)
            return false
        }
    }
}
