import FieldworkBindings
import Foundation

/// The completion report: what the customer is about to sign, sealing a signature or a
/// refusal on the phone, the sealed versions and their PDF.
public final class ReportsRepository: Sendable {
    let app: FieldworkApp
    /// A CJK font file for PDFs (Noto Sans CJK SC), bundled with the app.
    let fontPath: String?

    public init(app: FieldworkApp, fontPath: String? = nil) {
        self.app = app
        self.fontPath = fontPath
    }

    /// What the customer is about to sign, in the words its PDF will print, in `language`:
    /// built by the core from the job as it is now, every call.
    public func preview(jobId: String, language: ReportLanguage) async throws -> ReportOutlineRecord {
        try app.signingPreview(jobId: jobId, language: language)
    }

    /// A sealed version's words (the latest if nil), as its PDF prints them.
    public func outline(jobId: String, version: UInt32?) async throws -> ReportOutlineRecord {
        try app.reportOutline(jobId: jobId, version: version)
    }

    /// A photo's thumbnail for the review (nil when this phone does not hold the photo).
    public func photoThumbnail(attachmentId: String) async throws -> Data? {
        try app.photoThumbnail(attachmentId: attachmentId)
    }

    public func sign(jobId: String, signerName: String, signerRole: String?, strokesJSON: String, language: ReportLanguage) async throws -> SealRecord {
        try app.signReport(jobId: jobId, signerName: signerName, signerRole: signerRole, strokesJson: strokesJSON, language: language)
    }

    public func refuse(jobId: String, reason: String, name: String?, language: ReportLanguage) async throws -> SealRecord {
        try app.refuseReport(jobId: jobId, reason: reason, name: name, language: language)
    }

    public func versions(jobId: String) async throws -> [ReportVersionRecord] {
        try app.reportVersions(jobId: jobId)
    }

    /// The canonical JSON of a version (the latest if nil), exactly as sealed.
    public func sealedJSON(jobId: String, version: UInt32?) async throws -> String {
        try app.reportJson(jobId: jobId, version: version)
    }

    public func pdf(jobId: String, version: UInt32?) async throws -> Data {
        try app.renderReportPdf(jobId: jobId, version: version, fontPath: fontPath)
    }
}
