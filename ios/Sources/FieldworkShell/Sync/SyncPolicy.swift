import FieldworkBindings
import Foundation

/// When to try a failed sync again. Offline retries quietly with exponential backoff (the
/// technician keeps working); a server failure retries the same way but says so; the office
/// asking the phone to wait (429, or 503 with Retry-After) is quiet too and no attempt comes
/// before its Retry-After; a TLS failure, a revoked device, an app too old for the office (426)
/// or a broken store stops and tells the user, because retrying cannot help.
public struct SyncPolicy: Equatable, Sendable {
    public enum Decision: Equatable, Sendable {
        case retry(after: TimeInterval, quietly: Bool, message: UserMessage)
        /// The office asked the phone to wait (`RateLimited`): quietly, and no sync at all (not
        /// "sync now", not the network returning) for `after` seconds, at least its Retry-After.
        case wait(after: TimeInterval, message: UserMessage)
        case stop(UserMessage)
    }

    /// The longest Retry-After honoured, in seconds (the core bounds it the same way).
    public static let maximumRetryAfter: TimeInterval = 24 * 60 * 60

    /// Delay after the first failure, in seconds; it doubles with each further failure.
    public var initialDelay: TimeInterval
    /// The longest wait between two attempts, in seconds.
    public var maximumDelay: TimeInterval
    /// Spread of each delay, as a fraction (0.2: 80 % to 120 %), so phones do not retry in step.
    public var jitter: Double

    public init(initialDelay: TimeInterval = 5, maximumDelay: TimeInterval = 10 * 60, jitter: Double = 0.2) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.jitter = jitter
    }

    /// The delay before the next attempt after `failures` consecutive failures (1 or more);
    /// `random` in 0...1 places it within the jitter (0.5: no jitter).
    public func delay(failures: Int, random: Double) -> TimeInterval {
        let exponent = Double(min(max(failures, 1) - 1, 30))
        let base = min(initialDelay * pow(2, exponent), maximumDelay)
        let spread = 1 + jitter * (2 * min(max(random, 0), 1) - 1)
        return base * spread
    }

    /// What to do after a sync failed with `error`, the `failures`-th time in a row.
    public func decide(after error: Error, failures: Int, random: Double = Double.random(in: 0...1)) -> Decision {
        let message = ErrorMessages.message(for: error)
        guard let apiError = error as? ApiError else {
            return .stop(message)
        }
        switch apiError {
        case .Offline:
            return .retry(after: delay(failures: failures, random: random), quietly: true, message: message)
        case .Server:
            return .retry(after: delay(failures: failures, random: random), quietly: false, message: message)
        case .RateLimited(_, let retryAfterSecs):
            // The office's wait is a floor; waits in a row still back off.
            let floor = min(TimeInterval(retryAfterSecs), SyncPolicy.maximumRetryAfter)
            return .wait(after: max(floor, delay(failures: failures, random: random)), message: message)
        case .Tls, .Unauthorized, .NotEnrolled, .UpgradeRequired, .Storage, .Internal:
            return .stop(message)
        case .InvalidInput, .NotFound, .BadSignature, .BadImage, .CannotSign, .Render:
            return .stop(message)
        }
    }
}
