import FieldworkBindings
import Foundation

/// What to tell the user about a failure and what they can do about it. `key` is a key of the
/// app's Localizable.strings; `detail` is the core's own message (shown small, and logged).
public struct UserMessage: Error, Equatable, Sendable {
    public enum Recovery: Equatable, Sendable {
        /// Nothing to do: work goes on and it sorts itself out (offline).
        case none
        case correctInput
        case retryLater
        case signAgain
        case chooseAnotherPhoto
        /// The office no longer accepts this device: ask dispatch for a new code.
        case enrollAgain
        /// The office's certificate is not trusted: their IT must fix it; retrying will not.
        case contactOffice
        /// The office no longer speaks this app's sync protocol: update the app (work is kept).
        case updateApp
        case reportProblem
    }

    public let key: String
    public let detail: String
    public let recovery: Recovery

    public init(key: String, detail: String = "", recovery: Recovery) {
        self.key = key
        self.detail = detail
        self.recovery = recovery
    }
}

/// The one place that turns the core's errors into what the screens show.
public enum ErrorMessages {
    public static func message(for error: Error) -> UserMessage {
        if let message = error as? UserMessage {
            return message
        }
        if let apiError = error as? ApiError {
            return message(for: apiError)
        }
        return UserMessage(key: "error.unexpected", detail: String(describing: error), recovery: .reportProblem)
    }

    public static func message(for error: ApiError) -> UserMessage {
        switch error {
        case .InvalidInput(let detail):
            return UserMessage(key: "error.invalid_input", detail: detail, recovery: .correctInput)
        case .NotFound(let detail):
            return UserMessage(key: "error.not_found", detail: detail, recovery: .none)
        case .NotEnrolled(let detail):
            return UserMessage(key: "error.not_enrolled", detail: detail, recovery: .enrollAgain)
        case .Offline(let detail):
            return UserMessage(key: "error.offline", detail: detail, recovery: .none)
        case .Tls(let detail):
            return UserMessage(key: "error.tls", detail: detail, recovery: .contactOffice)
        case .Unauthorized(let detail):
            return UserMessage(key: "error.unauthorized", detail: detail, recovery: .enrollAgain)
        case .UpgradeRequired(let detail):
            return UserMessage(key: "error.upgrade_required", detail: detail, recovery: .updateApp)
        case .RateLimited(let detail, _):
            return UserMessage(key: "error.rate_limited", detail: detail, recovery: .none)
        case .Server(let detail):
            return UserMessage(key: "error.server", detail: detail, recovery: .retryLater)
        case .BadSignature(let detail):
            return UserMessage(key: "error.bad_signature", detail: detail, recovery: .signAgain)
        case .BadImage(let detail):
            return UserMessage(key: "error.bad_image", detail: detail, recovery: .chooseAnotherPhoto)
        case .CannotSign(let detail):
            return UserMessage(key: "error.cannot_sign", detail: detail, recovery: .none)
        case .Render(let detail):
            return UserMessage(key: "error.render", detail: detail, recovery: .reportProblem)
        case .Storage(let detail):
            return UserMessage(key: "error.storage", detail: detail, recovery: .reportProblem)
        case .Internal(let detail):
            return UserMessage(key: "error.internal", detail: detail, recovery: .reportProblem)
        }
    }
}
