import FieldworkBindings
import FieldworkShell
import XCTest

/// A visit with no signal: every edit through the job screen's view model is kept on the phone
/// and reaches the office when the network returns.
@MainActor
final class VisitTests: XCTestCase {
    func testOfflineVisitReachesTheOfficeWhenTheNetworkReturns() async throws {
        let office = try TestOffice.fromEnvironment()
        let technician = "ios-visit"
        try await office.createJob(id: "J-IOS-VISIT", technician: technician)
        try await office.createJob(id: "J-IOS-CHECK", technician: technician, inspection: true)
        let phone = try TestOffice.newPhone()
        _ = try await phone.enrollment.enroll(serverURL: office.url, code: office.code(for: technician), deviceName: "iOS visit", serverCAPEM: nil)

        let waits = WaitLog()
        let sync = SyncStatusViewModel(repository: phone.sync, policy: SyncPolicy(initialDelay: 1, maximumDelay: 8, jitter: 0), sleep: { try await waits.record($0) })
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
        let backwards = await job.addTime(kind: .travel, start: start, end: start)
        XCTAssertFalse(backwards)
        let diagnosed = await job.recordDiagnosis(cause: .powerSupply, faultCode: "E-PSU", action: "")
        XCTAssertTrue(diagnosed)
        let lent = await job.issueLoaner(serial: "LN-1", model: "Fan unit")
        XCTAssertTrue(lent)
        var empty = PartForm()
        empty.sku = "X"
        empty.qty = 0
        let refused = await job.addPart(empty)
        XCTAssertFalse(refused)
        XCTAssertEqual(job.message?.key, "error.invalid_input")

        let detail = try XCTUnwrap(job.detail)
        XCTAssertEqual(detail.notes.map(\.text), ["replaced the fan relay"])
        XCTAssertEqual(detail.parts.map(\.sku), ["RELAY-7"])
        XCTAssertEqual(detail.time.map(\.kind), ["labour"])
        XCTAssertEqual(detail.cause, "power_supply")
        XCTAssertEqual(detail.loaners.filter(\.isOut).map(\.serial), ["LN-1"])

        let check = JobDetailViewModel(jobId: "J-IOS-CHECK", repository: phone.jobs)
        await check.load()
        let passed = await check.recordCheck(item: "door", result: .pass, note: nil)
        let measured = await check.recordCheck(item: "temp", result: .measured(7.5), note: "after 10 min")
        XCTAssertTrue(passed && measured, "\(String(describing: check.message))")
        XCTAssertEqual(check.detail?.checklist.map(\.result), ["pass", "7.5"])

        // Sync while offline: the core fails at once; the policy waits quietly and retries.
        sync.requestSync()
        try await waitUntil { await waits.count >= 2 }
        guard case .offline = sync.state else {
            return XCTFail("offline sync should retry quietly, got \(sync.state)")
        }
        let delays = await waits.delays
        XCTAssertEqual(delays, [1, 2])
        XCTAssertEqual(sync.pendingChanges, 2)

        // The network returns: sync right away, and the office has the visit.
        sync.networkChanged(online: true)
        try await waitUntil { sync.state == .idle && sync.pendingChanges == 0 }
        XCTAssertEqual(sync.lastReport?.uploaded, 2)
        await job.load()
        let (status, server) = try await office.call("GET", "/api/v1/jobs/J-IOS-VISIT")
        XCTAssertEqual(status, 200)
        let serverDetail = try JobDetail.decode(server)
        XCTAssertEqual(serverDetail, job.detail)
        XCTAssertEqual(serverDetail.status, "on_site")
    }
}

/// Records the retry waits instead of sleeping: the first returns at once, the second parks
/// the retry loop (in the `.offline` state) until sync is requested again, which cancels it.
actor WaitLog {
    private(set) var delays: [TimeInterval] = []
    var count: Int { delays.count }

    func record(_ delay: TimeInterval) async throws {
        delays.append(delay)
        if delays.count >= 2 {
            try await Task.sleep(nanoseconds: 60_000_000_000)
        }
    }
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
