import FieldworkBindings
@testable import FieldworkShell
import XCTest

/// tests/sync-scenarios.json (the table Android's SyncPolicy is replayed against too), replayed
/// against SyncStatusViewModel and its SyncSchedule in virtual time: a manual clock, and a
/// scripted sync whose n-th run takes the table's `takes_s` and ends with its `result`. No
/// office needed.
@MainActor
final class SyncScenarioTests: XCTestCase {
    func testTheTablesTimingIsTheShellsDefault() throws {
        let timing = try SyncScenarioTable.load().timing
        XCTAssertEqual(SyncTiming(), SyncTiming(debounce: timing.debounceS, periodic: timing.periodicS))
        XCTAssertEqual(SyncPolicy(), SyncPolicy(initialDelay: timing.initialBackoffS, maximumDelay: timing.maxBackoffS, jitter: timing.jitter))
        XCTAssertEqual(SyncPolicy.maximumRetryAfter, timing.maxRetryAfterS)
    }

    func testEveryScenarioOfTheTable() async throws {
        let table = try SyncScenarioTable.load()
        XCTAssertGreaterThanOrEqual(table.scenarios.count, 10)
        for scenario in table.scenarios {
            let replay = try await SyncScenarioReplay.run(scenario, timing: table.timing)
            let expectedStarts = scenario.expect.filter { $0.syncStarts == true }.map(\.atS)
            XCTAssertEqual(replay.starts, expectedStarts, "\(scenario.name): the syncs that started")
            for check in scenario.expect where check.phase != nil {
                let seen = replay.phases[check.atS]
                XCTAssertEqual(seen?.phase.rawValue, check.phase, "\(scenario.name): phase at \(check.atS) s")
                if let shown = check.problemShown {
                    XCTAssertEqual(seen?.problemShown, shown, "\(scenario.name): problem shown at \(check.atS) s")
                }
            }
        }
    }

    /// iOS only (Android's policy runs for the process's life): no periodic sync in the
    /// background, and coming back to the foreground syncs.
    func testPeriodicSyncOnlyInTheForeground() async throws {
        let clock = ManualSyncClock()
        let service = ScriptedSync()
        let model = SyncStatusViewModel(repository: service, clock: clock, random: { 0.5 })
        model.foregroundChanged(active: true, syncNow: false)
        XCTAssertEqual(clock.nextDeadline, 900)
        model.foregroundChanged(active: false)
        XCTAssertNil(clock.nextDeadline, "no periodic sync in the background")
        clock.now = 2000
        XCTAssertEqual(model.attempts, 0)
        model.foregroundChanged(active: true)
        XCTAssertEqual(model.attempts, 1, "back in the foreground: sync")
        XCTAssertEqual(model.phase, .syncing)
        service.complete(with: .success(ScriptedSync.report), at: clock.date)
        await model.currentSyncFinished()
        XCTAssertEqual(model.phase, .idle)
        XCTAssertEqual(model.lastSynced, clock.date)
        XCTAssertEqual(clock.nextDeadline, 2900)
        model.cancel()
    }

    /// A background task's single attempt waits out neither the debounce nor a retry, but
    /// respects the office's wait.
    func testSyncOnceRespectsTheOfficesWait() async throws {
        let clock = ManualSyncClock()
        let service = ScriptedSync()
        let model = SyncStatusViewModel(repository: service, policy: SyncPolicy(jitter: 0), clock: clock, random: { 0.5 })
        service.complete(with: .failure(ApiError.RateLimited(detail: "slow down", retryAfterSecs: 60)))
        let first = await model.syncOnce()
        XCTAssertFalse(first)
        XCTAssertEqual(model.phase, .waitingForOffice)
        XCTAssertNil(model.problem, "the office's wait is not a problem")
        XCTAssertEqual(model.nextAttempt, clock.date.addingTimeInterval(60))
        XCTAssertFalse(model.canSendNow)
        clock.now = 30
        let held = await model.syncOnce()
        XCTAssertFalse(held)
        XCTAssertEqual(model.attempts, 1)
        clock.now = 61
        service.complete(with: .success(ScriptedSync.report))
        let after = await model.syncOnce()
        XCTAssertTrue(after)
        XCTAssertEqual(model.attempts, 2)
        model.cancel()
    }
}

// MARK: The table

struct SyncScenarioTable: Decodable {
    struct Timing: Decodable {
        let debounceS: TimeInterval
        let periodicS: TimeInterval
        let initialBackoffS: TimeInterval
        let maxBackoffS: TimeInterval
        let jitter: Double
        let maxRetryAfterS: TimeInterval
    }

    struct Scenario: Decodable {
        struct Start: Decodable {
            let online: Bool
            let syncOnStart: Bool
        }

        struct Event: Decodable {
            let atS: TimeInterval
            let kind: String
        }

        struct Sync: Decodable {
            let takesS: TimeInterval
            let result: String
            let retryAfterS: UInt64?
        }

        struct Expectation: Decodable {
            let atS: TimeInterval
            let syncStarts: Bool?
            let phase: String?
            let problemShown: Bool?
        }

        let name: String
        let start: Start
        let untilS: TimeInterval
        let events: [Event]
        let syncs: [Sync]
        let expect: [Expectation]
    }

    let format: Int
    let timing: Timing
    let scenarios: [Scenario]

    /// The repository's tests/sync-scenarios.json, found from this file's path.
    static func load() throws -> SyncScenarioTable {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // FieldworkShellTests
            .deletingLastPathComponent() // Tests
            .deletingLastPathComponent() // ios
            .deletingLastPathComponent() // the repository
            .appendingPathComponent("tests/sync-scenarios.json")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let table = try decoder.decode(SyncScenarioTable.self, from: Data(contentsOf: url))
        XCTAssertEqual(table.format, 1)
        return table
    }
}

struct UnknownInTable: Error, CustomStringConvertible {
    let description: String
}

// MARK: The replay

/// One scenario in virtual time. At one instant, a sync's end comes first, then the
/// scenario's events in order, then the schedule's own deadline, then the phase checks.
@MainActor
enum SyncScenarioReplay {
    struct Seen {
        let phase: SyncPhase
        let problemShown: Bool
    }

    struct Outcome {
        var starts: [TimeInterval] = []
        var phases: [TimeInterval: Seen] = [:]
    }

    private enum Step: Int, Comparable {
        case syncEnds, event, deadline, check

        static func < (a: Step, b: Step) -> Bool { a.rawValue < b.rawValue }
    }

    static func run(_ scenario: SyncScenarioTable.Scenario, timing: SyncScenarioTable.Timing) async throws -> Outcome {
        let clock = ManualSyncClock()
        let service = ScriptedSync()
        let model = SyncStatusViewModel(
            repository: service,
            policy: SyncPolicy(initialDelay: timing.initialBackoffS, maximumDelay: timing.maxBackoffS, jitter: 0),
            timing: SyncTiming(debounce: timing.debounceS, periodic: timing.periodicS),
            clock: clock,
            online: scenario.start.online,
            random: { 0.5 }
        )
        defer { model.cancel() }
        var outcome = Outcome()
        var syncs = scenario.syncs[...]
        var running: (ends: TimeInterval, sync: SyncScenarioTable.Scenario.Sync)?
        var counted = 0
        XCTAssertEqual(scenario.events.map(\.atS), scenario.events.map(\.atS).sorted(), "\(scenario.name): events in time order")
        var events = ArraySlice(scenario.events)
        var checks = ArraySlice(scenario.expect.filter { $0.phase != nil }.map(\.atS).sorted())

        // A sync the model started: the next of the table's (or one that succeeds in 1 s, which
        // the expected starts then show up).
        func noteStarts() {
            while model.attempts > counted {
                counted += 1
                outcome.starts.append(clock.now)
                let sync = syncs.popFirst() ?? SyncScenarioTable.Scenario.Sync(takesS: 1, result: "ok", retryAfterS: nil)
                running = (clock.now + sync.takesS, sync)
            }
        }

        model.foregroundChanged(active: true, syncNow: scenario.start.syncOnStart)
        noteStarts()
        while true {
            var candidates: [(at: TimeInterval, step: Step)] = []
            if let running {
                candidates.append((running.ends, .syncEnds))
            }
            if let event = events.first {
                candidates.append((event.atS, .event))
            }
            if let deadline = clock.nextDeadline {
                candidates.append((deadline, .deadline))
            }
            if let check = checks.first {
                candidates.append((check, .check))
            }
            guard let next = candidates.min(by: { ($0.at, $0.step) < ($1.at, $1.step) }), next.at <= scenario.untilS else {
                break
            }
            clock.now = max(clock.now, next.at)
            switch next.step {
            case .syncEnds:
                let sync = running?.sync
                running = nil
                if let sync {
                    let ending = try Self.result(of: sync)
                    service.complete(with: ending)
                    await model.currentSyncFinished()
                }
            case .event:
                if let event = events.popFirst() {
                    try Self.apply(event, to: model)
                }
            case .deadline:
                clock.fireDue()
            case .check:
                if let at = checks.popFirst() {
                    outcome.phases[at] = Seen(phase: model.phase, problemShown: model.problem != nil)
                }
            }
            noteStarts()
        }
        return outcome
    }

    private static func apply(_ event: SyncScenarioTable.Scenario.Event, to model: SyncStatusViewModel) throws {
        switch event.kind {
        case "edit": model.localEdit()
        case "send_now": model.requestSync()
        case "network_lost": model.networkChanged(online: false)
        case "network_back": model.networkChanged(online: true)
        default: throw UnknownInTable(description: "event kind \(event.kind)")
        }
    }

    private static func result(of sync: SyncScenarioTable.Scenario.Sync) throws -> Result<SyncReportRecord, Error> {
        let detail = "scenario"
        switch sync.result {
        case "ok": return .success(ScriptedSync.report)
        case "offline": return .failure(ApiError.Offline(detail: detail))
        case "server": return .failure(ApiError.Server(detail: detail))
        case "storage": return .failure(ApiError.Storage(detail: detail))
        case "rate_limited": return .failure(ApiError.RateLimited(detail: detail, retryAfterSecs: sync.retryAfterS ?? 0))
        case "tls": return .failure(ApiError.Tls(detail: detail))
        case "unauthorized": return .failure(ApiError.Unauthorized(detail: detail))
        case "not_enrolled": return .failure(ApiError.NotEnrolled(detail: detail))
        case "upgrade_required": return .failure(ApiError.UpgradeRequired(detail: detail))
        default: throw UnknownInTable(description: "sync result \(sync.result)")
        }
    }
}

// MARK: Virtual time and a scripted sync

/// A SyncClock the test moves by hand; timers fire when `fireDue` is called.
@MainActor
final class ManualSyncClock: SyncClock {
    private struct Pending {
        let id: Int
        let deadline: TimeInterval
        let action: @MainActor @Sendable () -> Void
    }

    var now: TimeInterval = 0
    private var pending: [Pending] = []
    private var lastId = 0

    var date: Date { Date(timeIntervalSince1970: 1_800_000_000 + now) }

    var nextDeadline: TimeInterval? { pending.map(\.deadline).min() }

    func schedule(at deadline: TimeInterval, _ action: @escaping @MainActor @Sendable () -> Void) -> SyncTimer {
        lastId += 1
        let id = lastId
        pending.append(Pending(id: id, deadline: deadline, action: action))
        return SyncTimer { [weak self] in
            self?.pending.removeAll { $0.id == id }
        }
    }

    /// Runs every timer whose deadline has come, earliest first.
    func fireDue() {
        while let index = pending.indices.min(by: { pending[$0].deadline < pending[$1].deadline }), pending[index].deadline <= now {
            let timer = pending.remove(at: index)
            timer.action()
        }
    }
}

/// A SyncService whose syncs end when the test says, with the result it says (given before or
/// after the model calls `sync()`); its sync state is what the test sets (the last success
/// recorded as the core does, when a sync ends well).
final class ScriptedSync: SyncService, @unchecked Sendable {
    static let report = SyncReportRecord(uploaded: 1, downloaded: 0, requests: 1, bytesSent: 10, bytesReceived: 10, refused: 0)

    private let lock = NSLock()
    private var waiting: CheckedContinuation<Result<SyncReportRecord, Error>, Never>?
    private var ready: [Result<SyncReportRecord, Error>] = []
    private var pendingJobs: UInt64 = 0
    private var pendingPhotos: UInt64 = 0
    private var lastSuccess: Date?

    func sync() async throws -> SyncReportRecord {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<SyncReportRecord, Error>, Never>) in
            let first: Result<SyncReportRecord, Error>? = lock.withLock {
                if ready.isEmpty {
                    waiting = continuation
                    return nil
                }
                return ready.removeFirst()
            }
            if let first {
                continuation.resume(returning: first)
            }
        }
        return try result.get()
    }

    /// Ends the running sync (or the next one) with `result`; a success at `date` is recorded
    /// as the last successful sync, as the core records it.
    func complete(with result: Result<SyncReportRecord, Error>, at date: Date? = nil) {
        let continuation: CheckedContinuation<Result<SyncReportRecord, Error>, Never>? = lock.withLock {
            if case .success = result, let date {
                lastSuccess = date
            }
            if let continuation = waiting {
                waiting = nil
                return continuation
            }
            ready.append(result)
            return nil
        }
        continuation?.resume(returning: result)
    }

    func setNetworkState(online: Bool) {}

    func setPending(jobs: UInt64, photos: UInt64) {
        lock.withLock {
            pendingJobs = jobs
            pendingPhotos = photos
        }
    }

    func setLastSuccess(_ date: Date?) {
        lock.withLock { lastSuccess = date }
    }

    func syncState() async throws -> SyncStateRecord {
        lock.withLock {
            SyncStateRecord(lastSuccessMs: lastSuccess?.epochMilliseconds, pendingJobs: pendingJobs, pendingPhotos: pendingPhotos, online: true)
        }
    }
}
