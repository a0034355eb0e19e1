import FieldworkBindings
import FieldworkShell
import XCTest

/// A visit with no signal: every edit through the job screen's view model is kept on the phone
/// and reaches the office when the network returns; and the sync status's own triggers against
/// the real core: an edit sent after its debounce, an outage retried quietly, an edit made while
/// a sync runs sent right after it.
@MainActor
final class VisitTests: XCTestCase {
    func testOfflineVisitReachesTheOfficeWhenTheNetworkReturns() async throws {
        let office = try TestOffice.fromEnvironment()
        let technician = "ios-visit"
        try await office.createJob(id: "J-IOS-VISIT", technician: technician)
        try await office.createJob(id: "J-IOS-CHECK", technician: technician, inspection: true)
        let phone = try TestOffice.newPhone()
        _ = try await phone.enrollment.enroll(serverURL: office.url, code: office.code(for: technician), deviceName: "iOS visit", serverCAPEM: nil)

        let sync = SyncStatusViewModel(repository: phone.sync, policy: SyncPolicy(initialDelay: 1, maximumDelay: 8, jitter: 0), timing: SyncTiming(debounce: 0.3))
        let synced = await sync.syncOnce()
        XCTAssertTrue(synced)
        XCTAssertEqual(sync.lastReport?.downloaded, 2)

        // Unscheduled open jobs are today's work too: no "show all" needed.
        let today = TodayViewModel(repository: phone.jobs)
        await today.load()
        XCTAssertEqual(Set(today.rows.map(\.id)), ["J-IOS-VISIT", "J-IOS-CHECK"])

        // No signal on site.
        sync.networkChanged(online: false)
        let job = JobDetailViewModel(jobId: "J-IOS-VISIT", repository: phone.jobs)
        await job.load()
        XCTAssertEqual(job.status, .assigned)
        XCTAssertEqual(job.statusActions, [.accepted])
        for step in [JobStatus.accepted, .enRoute, .onSite] {
            let moved = await job.setStatus(step)
            XCTAssertTrue(moved, "\(step): \(String(describing: job.message))")
        }
        XCTAssertEqual(job.status, .onSite)
        let noted = await job.addNote("replaced the fan relay")
        XCTAssertTrue(noted)
        var part = PartForm()
        part.sku = "RELAY-7"
        part.description = "fan relay"
        part.serialIn = "R-NEW"
        part.serialOut = "R-OLD"
        part.stock = "van"
        let added = await job.addPart(part)
        XCTAssertTrue(added)
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        let timed = await job.addTime(kind: .labour, start: start, end: start.addingTimeInterval(75 * 60))
        XCTAssertTrue(timed)
        // The core judges the times, not the shell: an end before the start is refused.
        let backwards = await job.addTime(kind: .travel, start: start, end: start.addingTimeInterval(-60))
        XCTAssertFalse(backwards)
        XCTAssertEqual(job.message?.key, "refused.ends_before_start")
        let diagnosed = await job.recordDiagnosis(cause: .powerSupply, faultCode: "E-PSU", action: "")
        XCTAssertTrue(diagnosed)
        let lent = await job.issueLoaner(serial: "LN-1", model: "Fan unit")
        XCTAssertTrue(lent)
        var empty = PartForm()
        empty.sku = "X"
        empty.qty = 0
        let refused = await job.addPart(empty)
        XCTAssertFalse(refused)
        // Said from the core's reason in the phone's language; the English detail is for the log.
        let message = try XCTUnwrap(job.message)
        XCTAssertEqual(message.key, "refused.out_of_range")
        XCTAssertEqual(message.arguments, [.words("field.qty"), .number(1), .number(10_000)])
        XCTAssertEqual(message.text(try AppStrings.localize("zh-Hans")), "数量须在 1 至 10000 之间。")
        XCTAssertFalse(message.detail.isEmpty, "kept for the log")
        XCTAssertNil(message.shownDetail, "no English detail on screen")

        // The screen renders the core's record: typed, nothing parsed by the shell.
        let detail = try XCTUnwrap(job.detail)
        XCTAssertEqual(detail.id, "J-IOS-VISIT")
        XCTAssertEqual(detail.status, .onSite)
        XCTAssertEqual(detail.customer.name, "Harbour Clinic")
        XCTAssertEqual(detail.customer.callURL?.absoluteString, "tel:+862155550101")
        XCTAssertEqual(detail.site.address, "88 Quay Road")
        XCTAssertEqual(detail.site.region, .city)
        XCTAssertEqual(detail.site.timeZone, "Asia/Shanghai")
        XCTAssertEqual([detail.asset.model, detail.asset.serial], ["Chiller", "CH-J-IOS-VISIT"])
        XCTAssertEqual(detail.priority, .high)
        XCTAssertEqual(detail.kind, .repair)
        XCTAssertEqual(detail.problem, "Compressor trips")
        XCTAssertNil(detail.sla, "no contract, no SLA")
        XCTAssertNil(job.slaWords)
        XCTAssertEqual(job.statusActions, detail.offeredStatuses)
        XCTAssertFalse(job.statusActions.contains(.onSite), "never the current status")
        XCTAssertEqual(detail.notes.map(\.text), ["replaced the fan relay"])
        XCTAssertEqual(detail.notes.map(\.authorRole), [.me])
        XCTAssertEqual(detail.parts.map(\.sku), ["RELAY-7"])
        XCTAssertEqual(detail.parts.map(\.removable), [true])
        XCTAssertEqual(detail.parts.first?.serialIn, "R-NEW")
        XCTAssertEqual(detail.time.map(\.kind), [.labour])
        XCTAssertEqual(detail.time.first?.startMs, start.epochMilliseconds)
        XCTAssertEqual(detail.time.first?.endMs, start.addingTimeInterval(75 * 60).epochMilliseconds)
        XCTAssertEqual(detail.diagnosis?.cause, .powerSupply)
        XCTAssertEqual(detail.diagnosis?.faultCode, "E-PSU")
        XCTAssertNil(detail.diagnosis?.action)
        XCTAssertEqual(job.loanersOut.map(\.serial), ["LN-1"])
        XCTAssertEqual(detail.report.state, ReportState.none)

        let check = JobDetailViewModel(jobId: "J-IOS-CHECK", repository: phone.jobs)
        await check.load()
        let passed = await check.recordCheck(item: "door", result: .pass, note: nil)
        let measured = await check.recordCheck(item: "temp", result: .measured(7.5), note: "after 10 min")
        XCTAssertTrue(passed && measured, "\(String(describing: check.message))")
        XCTAssertEqual(check.detail?.checklist.map(\.result), ["pass", "7.5"])
        XCTAssertEqual(check.detail?.kind, .inspection)

        // Without a network nothing is attempted, whoever asks; the edits wait on the phone, and
        // the status says offline (its own symbol, not a colour alone).
        let attempts = sync.attempts
        sync.requestSync()
        XCTAssertEqual(sync.attempts, attempts)
        XCTAssertEqual(sync.phase, .waitingForNetwork)
        XCTAssertNil(sync.problem)
        XCTAssertEqual(sync.indicator.systemImage, "wifi.slash")
        XCTAssertFalse(sync.canSendNow)
        await sync.refreshState()
        XCTAssertEqual(sync.pendingChanges, 2)
        XCTAssertNotNil(sync.lastSynced, "the first sync's time, as the core kept it")
        let before = try XCTUnwrap(sync.lastSynced)

        // The network returns: sync right away, and the office has the visit.
        sync.networkChanged(online: true)
        try await waitUntil { sync.phase == .idle && sync.pendingChanges == 0 }
        XCTAssertEqual(sync.attempts, attempts + 1)
        XCTAssertEqual(sync.lastReport?.uploaded, 2)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(sync.lastSynced), before)
        await job.load()
        let (status, server) = try await office.call("GET", "/api/v1/jobs/J-IOS-VISIT")
        XCTAssertEqual(status, 200)
        // The office renders the same job as the phone (the job JSON both serve).
        let officeJob = try jsonObject(server)
        let phoneJob = try jsonObject(await phone.jobs.officeJSON(jobId: "J-IOS-VISIT"))
        XCTAssertEqual(officeJob as NSDictionary, phoneJob as NSDictionary)
        XCTAssertEqual(officeJob["status"] as? String, "on_site")
        XCTAssertEqual(noteTexts(officeJob), job.detail?.notes.map(\.text))
    }

    /// The status's own triggers against the real core and office, edits reaching it as in the
    /// app (the core's local-edit changes): an edit is sent after the debounce; an office that
    /// cannot be reached is retried quietly; an edit made while a sync runs is sent right after
    /// it, not after a new debounce.
    func testEditsAreSentByTheSyncStatusOnItsOwn() async throws {
        let office = try TestOffice.fromEnvironment()
        let technician = "ios-resync"
        try await office.createJob(id: "J-IOS-RESYNC", technician: technician)
        let phone = try TestOffice.newPhone()
        _ = try await phone.enrollment.enroll(serverURL: office.url, code: office.code(for: technician), deviceName: "iOS resync", serverCAPEM: nil)
        let gate = SyncGate(phone.sync)
        let debounce: TimeInterval = 5
        let sync = SyncStatusViewModel(
            repository: gate,
            policy: SyncPolicy(initialDelay: 0.5, maximumDelay: 4, jitter: 0),
            timing: SyncTiming(debounce: debounce, periodic: 3600)
        )
        defer { sync.cancel() }
        let watcher = Task { @MainActor in
            for await change in phone.jobs.changes() where change.cause == .localEdit {
                sync.localEdit()
            }
        }
        defer { watcher.cancel() }

        // Coming to the foreground syncs (the job arrives).
        sync.foregroundChanged(active: true)
        try await waitUntil { sync.attempts == 1 && sync.phase == .idle }
        let job = JobDetailViewModel(jobId: "J-IOS-RESYNC", repository: phone.jobs)
        await job.load()
        XCTAssertEqual(job.status, .assigned)

        // An edit is sent once the debounce has passed, with nobody asking.
        let accepted = await job.setStatus(.accepted)
        XCTAssertTrue(accepted)
        try await waitUntil { sync.attempts == 2 && sync.phase == .idle && sync.pendingChanges == 0 }

        // The phone has a network but the office cannot be reached (the core alone is told it
        // is offline): the edit's sync fails as Offline and is retried quietly until it can.
        phone.sync.setNetworkState(online: false)
        let noted = await job.addNote("checked the breaker")
        XCTAssertTrue(noted)
        try await waitUntil { sync.phase == .retryScheduled }
        XCTAssertNil(sync.problem, "an outage is retried quietly")
        XCTAssertNotNil(sync.nextAttempt)
        XCTAssertEqual(sync.indicator.systemImage, "icloud.slash")
        phone.sync.setNetworkState(online: true)
        try await waitUntil { sync.phase == .idle && sync.pendingChanges == 0 }

        // A sync has reached the office and is held before it returns; an edit made now missed
        // it, and is sent by one more sync as soon as it ends (well before a new debounce).
        gate.holdNext()
        sync.requestSync()
        try await waitUntil { gate.isHolding }
        let attempts = sync.attempts
        let late = await job.addNote("edit made while syncing")
        XCTAssertTrue(late)
        try await waitUntil { sync.pendingChanges > 0 }
        gate.release()
        try await waitUntil(timeout: debounce - 1) { sync.attempts == attempts + 1 }
        await sync.settle()
        XCTAssertEqual(sync.phase, .idle)
        XCTAssertEqual(sync.pendingChanges, 0)
        let (status, server) = try await office.call("GET", "/api/v1/jobs/J-IOS-RESYNC")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(noteTexts(try jsonObject(server)), ["checked the breaker", "edit made while syncing"])
    }
}

/// The core's sync, passed through; `holdNext` makes the next one wait, after the office has
/// answered, until `release`.
final class SyncGate: SyncService, @unchecked Sendable {
    private let inner: SyncRepository
    private let lock = NSLock()
    private var holdsNext = false
    private var held: CheckedContinuation<Void, Never>?

    init(_ inner: SyncRepository) {
        self.inner = inner
    }

    var isHolding: Bool {
        lock.withLock { held != nil }
    }

    func holdNext() {
        lock.withLock { holdsNext = true }
    }

    func release() {
        let continuation: CheckedContinuation<Void, Never>? = lock.withLock {
            let waiting = held
            held = nil
            return waiting
        }
        continuation?.resume()
    }

    func sync() async throws -> SyncReportRecord {
        let report = try await inner.sync()
        let hold = lock.withLock {
            let hold = holdsNext
            holdsNext = false
            return hold
        }
        if hold {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                lock.withLock { held = continuation }
            }
        }
        return report
    }

    func setNetworkState(online: Bool) {
        inner.setNetworkState(online: online)
    }

    func syncState() async throws -> SyncStateRecord {
        try await inner.syncState()
    }
}

/// The office's job JSON (what dispatch's API answers), as a dictionary: the tests read the
/// office's side with it; the app renders the core's typed record and parses no JSON.
func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw CocoaError(.propertyListReadCorrupt)
    }
    return object
}

/// The texts of a job JSON's notes, in order.
func noteTexts(_ job: [String: Any]) -> [String] {
    (job["notes"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
}

struct TimedOut: Error, CustomStringConvertible {
    let description: String
}

/// Polls `condition` on the main actor until it holds; throws after `timeout` seconds.
@MainActor
func waitUntil(timeout: TimeInterval = 20, _ condition: () async -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !(await condition()) {
        if Date() > deadline {
            throw TimedOut(description: "condition not met within \(timeout) s")
        }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
}
