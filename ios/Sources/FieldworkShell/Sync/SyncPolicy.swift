import FieldworkBindings
import Foundation

/// What a failed sync means for the next one, as Android's `SyncPolicy` judges it. An outage
/// (`Offline`) is retried quietly with exponential backoff (the technician keeps working); the
/// office asking the phone to wait (`RateLimited`: 429, or 503 with Retry-After) is quiet too,
/// and no sync at all starts before its Retry-After; a TLS failure, a revoked or unknown device
/// and an app too old for the office (426) stop and tell the user, because retrying cannot help;
/// every other failure (a server error, the store) is retried the same way and shown.
public struct SyncPolicy: Equatable, Sendable {
    public enum Decision: Equatable, Sendable {
        /// Try again after `after` seconds; `quietly` (an outage) shows no problem.
        case retry(after: TimeInterval, quietly: Bool, message: UserMessage)
        /// The office asked the phone to wait (`RateLimited`), which is not a problem: no sync at
        /// all (not "send now", not the network returning) for `hold` seconds (its Retry-After,
        /// at most a day), and the retry after `after` (the longer of the hold and the backoff).
        case wait(after: TimeInterval, hold: TimeInterval, message: UserMessage)
        /// Retrying cannot help: tell the user; only their "send now" (or, after a TLS failure,
        /// the network changing) starts again.
        case stop(UserMessage)
    }

    /// The longest Retry-After honoured, in seconds (the core and Android bound it the same way).
    public static let maximumRetryAfter: TimeInterval = 24 * 60 * 60

    /// Delay after the first failure, in seconds; it doubles with each further failure.
    public var initialDelay: TimeInterval
    /// The longest wait between two attempts, in seconds (jitter included).
    public var maximumDelay: TimeInterval
    /// Spread of each delay, as a fraction (0.2: 80 % to 120 %), so phones do not retry in step.
    public var jitter: Double

    /// The defaults are Android's (`SyncPolicy.Config`): 5 s doubling to 10 min, ±20 %.
    public init(initialDelay: TimeInterval = 5, maximumDelay: TimeInterval = 10 * 60, jitter: Double = 0.2) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.jitter = jitter
    }

    /// The delay before the next attempt after `failures` consecutive failures (1 or more);
    /// `random` in 0...1 places it within the jitter (0.5: no jitter). Never above the maximum.
    public func delay(failures: Int, random: Double) -> TimeInterval {
        let exponent = Double(min(max(failures, 1) - 1, 40))
        let base = min(initialDelay * pow(2, exponent), maximumDelay)
        let spread = 1 + jitter * (2 * min(max(random, 0), 1) - 1)
        return min(base * spread, maximumDelay)
    }

    /// What to do after a sync failed with `error`, the `failures`-th time in a row.
    public func decide(after error: Error, failures: Int, random: Double = Double.random(in: 0...1)) -> Decision {
        let message = ErrorMessages.message(for: error)
        guard let apiError = error as? ApiError else {
            return .retry(after: delay(failures: failures, random: random), quietly: false, message: message)
        }
        switch apiError {
        case .Offline:
            return .retry(after: delay(failures: failures, random: random), quietly: true, message: message)
        case .RateLimited(_, let retryAfterSecs):
            // The office's wait is a floor; waits in a row still back off.
            let hold = min(TimeInterval(retryAfterSecs), SyncPolicy.maximumRetryAfter)
            return .wait(after: max(hold, delay(failures: failures, random: random)), hold: hold, message: message)
        case .Tls, .Unauthorized, .NotEnrolled, .UpgradeRequired:
            return .stop(message)
        case .Server, .Storage, .Internal, .InvalidInput, .NotFound, .BadSignature, .BadImage, .CannotSign, .Render:
            return .retry(after: delay(failures: failures, random: random), quietly: false, message: message)
        }
    }
}
