import FieldworkBindings
import Foundation
import Observation

/// The enrollment screen: server address, one-time code from dispatch (typed, or both scanned
/// from the console's QR code), and the office's own certificate authority when its server does
/// not use a public one.
@MainActor
@Observable
public final class EnrollmentViewModel {
    public var serverURL = ""
    public var code = ""
    public var deviceName: String
    /// PEM of the office's CA; empty for a server with a public certificate.
    public var serverCAPEM = ""
    public private(set) var enrollment: EnrollmentRecord?
    public private(set) var isWorking = false
    public private(set) var message: UserMessage?

    private let repository: EnrollmentRepository

    public init(repository: EnrollmentRepository, deviceName: String) {
        self.repository = repository
        self.deviceName = deviceName
        enrollment = repository.current
    }

    public var isEnrolled: Bool { enrollment != nil }

    public var canSubmit: Bool {
        !isWorking && !trimmed(serverURL).isEmpty && !trimmed(code).isEmpty
    }

    /// A scanned code: the office's enrollment QR code (`EnrollmentCode`, either form) fills
    /// the address and the code; anything else leaves the form as it was and says so.
    @discardableResult
    public func applyScanned(_ payload: String) -> Bool {
        guard let scanned = EnrollmentCode.parse(payload) else {
            message = UserMessage(key: "enroll.scan_not_enrollment", recovery: .correctInput)
            return false
        }
        serverURL = scanned.office
        code = scanned.code
        message = nil
        return true
    }

    @discardableResult
    public func enroll() async -> Bool {
        let url = trimmed(serverURL)
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            message = UserMessage(key: "enroll.server_invalid", recovery: .correctInput)
            return false
        }
        let oneTimeCode = trimmed(code).uppercased()
        guard !oneTimeCode.isEmpty else {
            message = UserMessage(key: "enroll.code_required", recovery: .correctInput)
            return false
        }
        let pem = trimmed(serverCAPEM)
        isWorking = true
        defer { isWorking = false }
        do {
            enrollment = try await repository.enroll(
                serverURL: url,
                code: oneTimeCode,
                deviceName: trimmed(deviceName),
                serverCAPEM: pem.isEmpty ? nil : pem
            )
            message = nil
            return true
        } catch {
            message = ErrorMessages.message(for: error)
            return false
        }
    }

    private func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
