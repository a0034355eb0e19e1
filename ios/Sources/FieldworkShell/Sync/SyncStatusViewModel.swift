import FieldworkBindings
import Foundation
import Observation

/// How the sync status looks at a glance: a headline (a Localizable.strings key), an SF Symbol
/// and a tone. Every state has its own symbol as well as its own tone, so nothing is told by
/// colour alone (offline is `wifi.slash` and the offline tone).
public struct SyncIndicator: Equatable, Sendable {
    public enum Tone: String, Equatable, Sendable, CaseIterable {
        case upToDate
        case working
        case offline
        case waiting
        case warning
        case error
    }

    public let key: String
    public let systemImage: String
    public let tone: Tone

    public init(key: String, systemImage: String, tone: Tone) {
        self.key = key
        self.systemImage = systemImage
        self.tone = tone
    }
}

/// Sync status for the whole app. Drives `SyncSchedule` (when to sync: Android's policy, plus
/// the re-run after an edit made during a sync) with a clock, runs the syncs, and says what is
/// going on: the phase, the problem if any, when the next attempt comes, and from the core's
/// `syncState` the last successful send and how many jobs and photos wait to be sent.
@MainActor
@Observable
public final class SyncStatusViewModel {
    public private(set) var phase: SyncPhase = .idle
    /// What the user must see (a server error, or why sync stopped); nil when all is well or
    /// quietly waiting (no network, the office's wait).
    public private(set) var problem: UserMessage?
    /// When the scheduled retry (or the end of the office's wait) comes.
    public private(set) var nextAttempt: Date?
    /// When a sync last finished with everything sent and received: the core's record
    /// (`syncState`), kept across restarts; nil before the first.
    public private(set) var lastSynced: Date?
    public private(set) var lastReport: SyncReportRecord?
    /// Jobs with changes the office has not acknowledged yet (the core's count).
    public private(set) var pendingChanges: UInt64 = 0
    /// Photos waiting to be uploaded (the core's count).
    public private(set) var pendingPhotos: UInt64 = 0
    public private(set) var isOnline: Bool
    /// Syncs started (tests and logs).
    public private(set) var attempts = 0

    @ObservationIgnored private var schedule: SyncSchedule
    private let repository: any SyncService
    private let clock: any SyncClock
    private let random: @Sendable () -> Double
    @ObservationIgnored private var timer: SyncTimer?
    @ObservationIgnored private var running: Task<Bool, Never>?

    /// `clock` nil: the system's. `online`: what the phone's network is when the model is made.
    public init(
        repository: any SyncService,
        policy: SyncPolicy = SyncPolicy(),
        timing: SyncTiming = SyncTiming(),
        clock: (any SyncClock)? = nil,
        online: Bool = true,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        let schedule = SyncSchedule(timing: timing, policy: policy, online: online)
        self.repository = repository
        self.clock = clock ?? SystemSyncClock()
        self.random = random
        self.schedule = schedule
        isOnline = online
        phase = schedule.phase
    }

    public var isSyncing: Bool { phase == .syncing }

    /// "Send now" does something: not while a sync runs, without a network, or while the
    /// office has asked the phone to wait (it would not send any sooner).
    public var canSendNow: Bool {
        !isSyncing && isOnline && phase != .waitingForOffice
    }

    /// The headline, symbol and tone of the status (Android's bar, except that no network
    /// shows as offline even when the last failure had a message).
    public var indicator: SyncIndicator {
        switch phase {
        case .syncing:
            return SyncIndicator(key: "sync.syncing", systemImage: "arrow.triangle.2.circlepath", tone: .working)
        case .stopped:
            return SyncIndicator(key: problem?.headlineKey ?? "sync.stopped", systemImage: "exclamationmark.octagon.fill", tone: .error)
        case .waitingForNetwork:
            return SyncIndicator(key: "sync.offline", systemImage: "wifi.slash", tone: .offline)
        case .waitingForOffice:
            return SyncIndicator(key: "sync.waiting_for_office", systemImage: "hourglass", tone: .waiting)
        case .retryScheduled:
            if let problem {
                return SyncIndicator(key: problem.headlineKey, systemImage: "exclamationmark.triangle.fill", tone: .warning)
            }
            return SyncIndicator(key: "sync.retrying", systemImage: "icloud.slash", tone: .waiting)
        case .idle:
            if pendingChanges > 0 {
                return SyncIndicator(key: "sync.pending_headline", systemImage: "icloud.and.arrow.up", tone: .working)
            }
            return SyncIndicator(key: "sync.idle", systemImage: "checkmark.icloud", tone: .upToDate)
        }
    }

    // MARK: What asks for a sync.

    /// The user asked ("Send now", pull to refresh, enrollment): sync now, whatever stopped it,
    /// unless the phone is offline or the office's wait holds (then when that ends).
    public func requestSync() {
        changed(schedule.handle(.sendNow, at: clock.now))
    }

    /// Something was written locally: sync after the debounce, or right after the sync that is
    /// running now.
    public func localEdit() {
        changed(schedule.handle(.edit, at: clock.now))
        Task { await refreshState() }
    }

    /// What NWPathMonitor says. The core fails sync at once while offline, so nothing is
    /// attempted then; when the network returns, sync right away (not past the office's wait).
    public func networkChanged(online: Bool) {
        guard online != isOnline else { return }
        isOnline = online
        repository.setNetworkState(online: online)
        changed(schedule.handle(.network(online: online), at: clock.now))
    }

    /// The app came to the foreground (and at launch: `syncNow`) or left it. The periodic sync
    /// runs only in the foreground.
    public func foregroundChanged(active: Bool, syncNow: Bool = true) {
        changed(schedule.foregroundChanged(active, syncNow: syncNow, at: clock.now))
    }

    /// One attempt outside the schedule's own triggers, for background tasks (which have their
    /// own deadline) and tests: waits for the running sync instead if there is one. False when
    /// it failed or did not run (offline, stopped, or the office's wait holds).
    @discardableResult
    public func syncOnce() async -> Bool {
        if let running {
            return await running.value
        }
        guard schedule.startNow(at: clock.now) else { return false }
        changed(true)
        return await running?.value ?? false
    }

    /// Waits until no sync runs (including one started right after the last, for an edit made
    /// while it ran).
    public func settle() async {
        while let task = running {
            _ = await task.value
        }
    }

    /// Waits for the sync running now, not for one it starts when it ends (the scenario replay).
    func currentSyncFinished() async {
        if let task = running {
            _ = await task.value
        }
    }

    /// Stops the timer and cancels the running sync (the schedule keeps its state).
    public func cancel() {
        timer?.cancel()
        timer = nil
        running?.cancel()
    }

    /// Reads where syncing stands from the core: the last successful send and what waits.
    /// A store that cannot be read keeps what was shown.
    public func refreshState() async {
        guard let state = try? await repository.syncState() else { return }
        lastSynced = state.lastSuccessMs.map { Date(epochMilliseconds: $0) }
        pendingChanges = state.pendingJobs
        pendingPhotos = state.pendingPhotos
    }

    // MARK: Running the schedule.

    private func changed(_ startSync: Bool) {
        if startSync {
            launch()
        }
        publish()
        rearm()
    }

    private func launch() {
        let repository = repository
        running = Task { [weak self] in
            var report: SyncReportRecord?
            var failure: Error?
            do {
                report = try await repository.sync()
            } catch {
                failure = error
            }
            await self?.finished(report: report, error: failure)
            return failure == nil
        }
    }

    private func finished(report: SyncReportRecord?, error: Error?) async {
        running = nil
        if error == nil {
            lastReport = report
        }
        changed(schedule.syncFinished(error: error, at: clock.now, random: random()))
        await refreshState()
    }

    private func deadlineReached() {
        timer = nil
        changed(schedule.deadlineReached(at: clock.now))
    }

    private func rearm() {
        timer?.cancel()
        timer = nil
        if let deadline = schedule.nextDeadline {
            timer = clock.schedule(at: deadline) { [weak self] in
                self?.deadlineReached()
            }
        }
    }

    private func publish() {
        phase = schedule.phase
        problem = schedule.problem
        attempts = schedule.attempts
        let now = clock.now
        nextAttempt = (phase == .retryScheduled || phase == .waitingForOffice)
            ? schedule.retryAt.map { clock.date.addingTimeInterval($0 - now) }
            : nil
    }
}
