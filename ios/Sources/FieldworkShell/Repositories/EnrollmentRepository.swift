import FieldworkBindings
import Foundation

/// Who this device is, and enrolling it with the office.
public final class EnrollmentRepository: Sendable {
    let app: FieldworkApp

    public init(app: FieldworkApp) {
        self.app = app
    }

    public var current: EnrollmentRecord? {
        app.enrollment()
    }

    /// Enrolls with a one-time code from dispatch. `serverCAPEM` is the office's own certificate
    /// authority (PEM) when its server does not use a public one.
    public func enroll(serverURL: String, code: String, deviceName: String, serverCAPEM: String?) async throws -> EnrollmentRecord {
        if let pem = serverCAPEM {
            return try await app.enrollWithServerCa(serverUrl: serverURL, code: code, deviceName: deviceName, serverCaPem: pem)
        }
        return try await app.enroll(serverUrl: serverURL, code: code, deviceName: deviceName)
    }
}
