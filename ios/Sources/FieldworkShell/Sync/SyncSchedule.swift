import FieldworkBindings
import Foundation

/// What sync is doing, named as Android's `SyncPhase` is (and as tests/sync-scenarios.json
/// spells it: the raw values).
public enum SyncPhase: String, Equatable, Sendable, CaseIterable {
    /// Nothing to do until an edit, the periodic sync, the network or the user.
    case idle
    case syncing
    /// The phone has no network: edits wait, a sync runs when it comes back.
    case waitingForNetwork = "waiting_for_network"
    /// The last attempt failed; the next one is scheduled with backoff.
    case retryScheduled = "retry_scheduled"
    /// The office asked the phone to wait: nothing is wrong; no sync before its Retry-After.
    case waitingForOffice = "waiting_for_office"
    /// Retrying cannot help (TLS, the device is no longer accepted, the app is too old).
    case stopped
}

/// When sync runs on its own, in seconds. The defaults are Android's (`SyncPolicy.Config`).
public struct SyncTiming: Equatable, Sendable {
    /// Quiet time after a local edit before it is sent (edits in a burst go in one sync).
    public var debounce: TimeInterval
    /// A sync this long after the last successful one, while the app is in the foreground.
    public var periodic: TimeInterval

    public init(debounce: TimeInterval = 3, periodic: TimeInterval = 15 * 60) {
        self.debounce = debounce
        self.periodic = periodic
    }
}

/// When to sync, as a state machine over explicit times (seconds on a clock that never jumps):
/// no clock, no tasks and no core, so `SyncScenarioTests` replays tests/sync-scenarios.json
/// against it exactly. It is Android's `SyncPolicy` loop, input for input:
///
/// - a sync runs when the app comes to the foreground (Android: when the policy starts), when
///   the network returns, periodically, when the user asks ("send now") and `debounce`
///   seconds after the last of a burst of local edits;
/// - inputs that arrive while a sync runs are handled, in order, when it finishes (Android's
///   trigger channel). One difference, which the issue asks for and Android does not do yet:
///   edits made while a sync ran are sent in one more sync right after it (they missed that
///   sync) rather than `debounce` seconds after it finished. If that sync failed, the retry
///   carries them;
/// - a failure is judged by `SyncPolicy`: retried with backoff (reset by a success, by the
///   network returning and by "send now"), or the office's wait (`RateLimited`), which holds
///   every sync, whoever asks, until its Retry-After has passed; or a stop (TLS, revoked
///   device, app too old), after which only "send now" (and, after a TLS failure, the network
///   returning) starts again;
/// - while a retry is scheduled, edits wait for it (they must not defeat the backoff); while
///   the phone has no network, or sync stopped, nothing is attempted and edits are not timed.
///
/// iOS only: the periodic sync counts only while the app is in the foreground (iOS suspends
/// the app in the background, where `BackgroundWork` syncs instead), and coming back to the
/// foreground syncs as Android's start does.
public struct SyncSchedule: Sendable {
    /// What can ask for a sync.
    public enum Input: Equatable, Sendable {
        /// Something was written locally.
        case edit
        /// The user asked (the "Send now" button, pull to refresh, enrollment).
        case sendNow
        /// The phone's network changed.
        case network(online: Bool)
    }

    private enum Stop: Equatable, Sendable {
        /// A TLS failure: also lifted by the network changing (a captive portal left behind).
        case tls
        case other
    }

    public let timing: SyncTiming
    public let policy: SyncPolicy

    public private(set) var phase: SyncPhase
    public private(set) var online: Bool
    public private(set) var foreground = false
    public private(set) var isRunning = false
    /// Failed attempts in a row (reset by a success, the network returning and "send now").
    public private(set) var failures = 0
    /// Syncs started since the schedule was made.
    public private(set) var attempts = 0
    /// What to tell the user, or nil: an outage and the office's wait are quiet.
    public private(set) var problem: UserMessage?
    /// When the scheduled retry (or the end of the office's wait) comes.
    public private(set) var retryAt: TimeInterval?
    /// No sync before this (the office's Retry-After), whatever asks for one.
    public private(set) var holdUntil: TimeInterval?

    private var stop: Stop?
    private var debounceAt: TimeInterval?
    private var periodicAt: TimeInterval?
    private var due = false
    private var arrivedWhileRunning: [Input] = []

    public init(timing: SyncTiming = SyncTiming(), policy: SyncPolicy = SyncPolicy(), online: Bool = true) {
        self.timing = timing
        self.policy = policy
        self.online = online
        phase = online ? .idle : .waitingForNetwork
    }

    /// The next time something becomes due on its own (the end of an edit's debounce, a retry,
    /// the end of the office's wait, the periodic sync); nil while a sync runs, while offline or
    /// stopped, or when nothing is scheduled.
    public var nextDeadline: TimeInterval? {
        guard !isRunning, online, stop == nil else { return nil }
        if let retryAt {
            return min(retryAt, debounceAt ?? .infinity)
        }
        return [foreground ? periodicAt : nil, debounceAt].compactMap { $0 }.min()
    }

    /// Whether the office's wait holds every sync at `now`.
    public func isHeld(at now: TimeInterval) -> Bool {
        holdUntil.map { $0 > now } ?? false
    }

    /// Handles an input at `now`; true when a sync must start now (the schedule counts it as
    /// running: call `syncFinished` when it ends).
    public mutating func handle(_ input: Input, at now: TimeInterval) -> Bool {
        if isRunning {
            arrivedWhileRunning.append(input)
            return false
        }
        apply(input, at: now, whileRunning: false)
        return evaluate(at: now)
    }

    /// The clock reached `nextDeadline` (a millisecond early counts); true when a sync must start.
    public mutating func deadlineReached(at now: TimeInterval) -> Bool {
        guard let deadline = nextDeadline, deadline <= now + 0.001 else { return false }
        due = true
        return evaluate(at: now)
    }

    /// The app came to the foreground (`syncNow`: sync as Android does when its policy starts,
    /// unless a sync runs or something holds it) or left it (no periodic sync in the background).
    public mutating func foregroundChanged(_ active: Bool, syncNow: Bool = true, at now: TimeInterval) -> Bool {
        guard active != foreground else { return false }
        foreground = active
        guard active else { return false }
        periodicAt = now + timing.periodic
        guard syncNow, !isRunning else { return false }
        due = true
        return evaluate(at: now)
    }

    /// A sync outside the schedule's own triggers (a background task, a test): true when it may
    /// start now, which it may unless one runs, the phone is offline, sync stopped or the
    /// office's wait holds.
    public mutating func startNow(at now: TimeInterval) -> Bool {
        guard !isRunning, online, stop == nil, !isHeld(at: now) else { return false }
        begin()
        return true
    }

    /// The running sync ended: `error` nil when it succeeded. `random` (0...1) places the
    /// backoff within its jitter. True when a sync must start again at once (an edit arrived
    /// while it ran, or "send now").
    public mutating func syncFinished(error: Error?, at now: TimeInterval, random: Double) -> Bool {
        guard isRunning else { return false }
        isRunning = false
        if let error {
            if error is CancellationError {
                phase = online ? .idle : .waitingForNetwork
            } else {
                judge(error, at: now, random: random)
            }
        } else {
            failures = 0
            periodicAt = now + timing.periodic
            phase = .idle
            problem = nil
        }
        while !arrivedWhileRunning.isEmpty {
            let input = arrivedWhileRunning.removeFirst()
            apply(input, at: now, whileRunning: true)
            if evaluate(at: now) {
                // The sync starting now carries every edit made before it: one more sync, not
                // one per edit. Other inputs wait for it to end, as they would on Android.
                arrivedWhileRunning.removeAll { $0 == .edit }
                return true
            }
        }
        return false
    }

    private mutating func judge(_ error: Error, at now: TimeInterval, random: Double) {
        switch policy.decide(after: error, failures: failures + 1, random: random) {
        case .retry(let after, let quietly, let message):
            failures += 1
            retryAt = now + after
            phase = .retryScheduled
            problem = quietly ? nil : message
        case .wait(let after, let hold, _):
            failures += 1
            holdUntil = now + hold
            retryAt = now + after
            phase = .waitingForOffice
            problem = nil
        case .stop(let message):
            if let apiError = error as? ApiError, case .Tls = apiError {
                stop = .tls
            } else {
                stop = .other
            }
            phase = .stopped
            problem = message
        }
    }

    private mutating func apply(_ input: Input, at now: TimeInterval, whileRunning: Bool) {
        switch input {
        case .edit:
            // Backing off, the scheduled retry carries the edit; offline or stopped, it waits
            // for the network or the user.
            guard online, stop == nil, retryAt == nil else { return }
            if whileRunning {
                due = true
            } else {
                debounceAt = now + timing.debounce
            }
        case .sendNow:
            stop = nil
            failures = 0
            retryAt = nil
            due = true
            if !online {
                phase = .waitingForNetwork
                problem = nil
            }
        case .network(let isOnline):
            guard isOnline != online else { return }
            online = isOnline
            if isOnline {
                if stop == .tls {
                    stop = nil
                }
                failures = 0
                retryAt = nil
                due = stop == nil
            } else {
                retryAt = nil
                debounceAt = nil
                if phase != .stopped {
                    phase = .waitingForNetwork
                }
            }
        }
    }

    /// Android's loop head: a due sync starts unless the phone is offline, sync stopped, or the
    /// office's wait holds it (then the attempt is scheduled for the wait's end).
    private mutating func evaluate(at now: TimeInterval) -> Bool {
        guard due, !isRunning else { return false }
        due = false
        guard online, stop == nil else { return false }
        if let holdUntil, holdUntil > now {
            debounceAt = nil
            retryAt = holdUntil
            phase = .waitingForOffice
            problem = nil
            return false
        }
        begin()
        return true
    }

    private mutating func begin() {
        debounceAt = nil
        retryAt = nil
        holdUntil = nil
        isRunning = true
        attempts += 1
        phase = .syncing
    }
}
