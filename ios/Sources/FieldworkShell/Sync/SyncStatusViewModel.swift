import FieldworkBindings
import Foundation
import Observation

/// Sync status for the whole app: syncs when asked, when the network returns and after edits,
/// retries by the SyncPolicy, and says what is going on.
@MainActor
@Observable
public final class SyncStatusViewModel {
    public enum State: Equatable, Sendable {
        case idle
        case syncing
        /// No network: edits are kept and sync retries on its own.
        case offline(nextAttempt: Date)
        /// The office failed; retrying.
        case retrying(nextAttempt: Date, message: UserMessage)
        /// The office asked the phone to wait (rate limited): nothing is wrong, edits are kept,
        /// and no sync starts before `nextAttempt`, whoever asks.
        case waitingForOffice(nextAttempt: Date)
        /// Retrying cannot help (certificate, revoked device, app too old, broken store): tell the user.
        case stopped(UserMessage)
    }

    public private(set) var state: State = .idle
    public private(set) var lastSynced: Date?
    public private(set) var lastReport: SyncReportRecord?
    public private(set) var pendingChanges: UInt64 = 0
    public private(set) var isOnline = true

    private let repository: SyncRepository
    private let policy: SyncPolicy
    private let sleep: @Sendable (TimeInterval) async throws -> Void
    private let now: @Sendable () -> Date
    @ObservationIgnored private var loop: Task<Void, Never>?
    @ObservationIgnored private var failures = 0
    /// No sync before this (the office's Retry-After), whatever asks for one.
    @ObservationIgnored private var notBefore: Date?

    public init(
        repository: SyncRepository,
        policy: SyncPolicy = SyncPolicy(),
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1_000_000_000)) },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.repository = repository
        self.policy = policy
        self.sleep = sleep
        self.now = now
    }

    public var isSyncing: Bool { state == .syncing }

    /// Starts syncing now (cutting short a retry's wait) and keeps retrying by the policy
    /// until a sync succeeds or the policy stops. Does nothing while a sync is running. While the
    /// office has asked the phone to wait, the sync starts when that wait ends.
    public func requestSync() {
        guard !isSyncing else { return }
        loop?.cancel()
        failures = 0
        let held = notBefore.flatMap { $0 > now() ? $0 : nil }
        if let until = held {
            state = .waitingForOffice(nextAttempt: until)
        }
        let wait = held.map { $0.timeIntervalSince(now()) } ?? 0
        loop = Task { [weak self] in
            await self?.runUntilSettled(after: wait)
        }
    }

    /// One attempt, no retries: for background tasks, which have their own deadline. Nothing
    /// while the office has asked the phone to wait.
    @discardableResult
    public func syncOnce() async -> Bool {
        if let until = notBefore, until > now() {
            return false
        }
        return await attempt() == .synced
    }

    /// Waits for the running retry loop, if any (tests, background tasks).
    public func settle() async {
        await loop?.value
    }

    public func cancel() {
        loop?.cancel()
        loop = nil
    }

    /// What NWPathMonitor says. The core fails sync at once while offline; when the network
    /// returns, sync right away instead of waiting out the backoff (but not the office's wait).
    public func networkChanged(online: Bool) {
        guard online != isOnline else { return }
        isOnline = online
        repository.setNetworkState(online: online)
        if online {
            switch state {
            case .offline, .retrying: requestSync()
            case .idle where pendingChanges > 0: requestSync()
            default: break
            }
        }
    }

    public func refreshPending() async {
        pendingChanges = (try? await repository.pendingChanges()) ?? pendingChanges
    }

    private enum Outcome: Equatable {
        case synced
        case retry(after: TimeInterval)
        case stopped
    }

    private func runUntilSettled(after wait: TimeInterval = 0) async {
        if wait > 0 {
            do {
                try await sleep(wait)
            } catch {
                return
            }
        }
        while !Task.isCancelled {
            guard case .retry(let delay) = await attempt() else { return }
            do {
                try await sleep(delay)
            } catch {
                return
            }
        }
    }

    /// Syncs once and shows the outcome; a failure is judged by the policy.
    private func attempt() async -> Outcome {
        state = .syncing
        let outcome: Outcome
        do {
            lastReport = try await repository.sync()
            lastSynced = now()
            failures = 0
            notBefore = nil
            state = .idle
            outcome = .synced
        } catch is CancellationError {
            state = .idle
            outcome = .stopped
        } catch {
            failures += 1
            switch policy.decide(after: error, failures: failures) {
            case .retry(let delay, let quietly, let message):
                let next = now().addingTimeInterval(delay)
                state = quietly ? .offline(nextAttempt: next) : .retrying(nextAttempt: next, message: message)
                outcome = .retry(after: delay)
            case .wait(let delay, _):
                let next = now().addingTimeInterval(delay)
                notBefore = next
                state = .waitingForOffice(nextAttempt: next)
                outcome = .retry(after: delay)
            case .stop(let message):
                state = .stopped(message)
                outcome = .stopped
            }
        }
        await refreshPending()
        return outcome
    }
}
