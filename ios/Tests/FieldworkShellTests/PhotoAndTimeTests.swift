import FieldworkBindings
import FieldworkShell
import XCTest

/// Against the real core and office: a photo taken by mistake removed from the job screen and
/// from the photo queue (only where the core says `removable`), and the travel and labour the
/// core proposes from the status timeline, added as proposed or edited first.
@MainActor
final class PhotoAndTimeTests: XCTestCase {
    func testRemovablePhotosAreRemovedFromTheJobScreenAndTheQueue() async throws {
        let office = try TestOffice.fromEnvironment()
        let technician = "ios-photo"
        try await office.createJob(id: "J-IOS-PHOTO", technician: technician)
        let phone = try TestOffice.newPhone()
        _ = try await phone.enrollment.enroll(serverURL: office.url, code: office.code(for: technician), deviceName: "iOS photo", serverCAPEM: nil)
        let sync = SyncStatusViewModel(repository: phone.sync)
        let first = await sync.syncOnce()
        XCTAssertTrue(first)

        // Three photos taken on this phone: each is this technician's, so each may be removed.
        let queue = PhotoQueueViewModel(jobs: phone.jobs, photos: phone.photos)
        for (index, caption) in ["Wrong unit", "Fan blade", "Blurred"].enumerated() {
            let added = await queue.add(jobId: "J-IOS-PHOTO", data: samplePNG(width: 64 + index, height: 48), caption: caption)
            XCTAssertNotNil(added, "\(String(describing: queue.message))")
        }
        let job = JobDetailViewModel(jobId: "J-IOS-PHOTO", repository: phone.jobs, photos: phone.photos)
        await job.load()
        let photos = try XCTUnwrap(job.detail?.photos)
        XCTAssertEqual(Set(photos.compactMap(\.caption)), ["Wrong unit", "Fan blade", "Blurred"])
        XCTAssertTrue(photos.allSatisfy(\.removable), "taken by this technician")
        XCTAssertTrue(queue.items.allSatisfy(\.removable))
        XCTAssertEqual(queue.items.map(\.siteTimeZone), ["Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai"])

        // From the job screen's strip: gone from the record, and from the queue once it reloads.
        let wrong = try XCTUnwrap(photos.first { $0.caption == "Wrong unit" })
        let removed = await job.removePhoto(attachmentId: wrong.id)
        XCTAssertTrue(removed, "\(String(describing: job.message))")
        XCTAssertNil(job.message)
        XCTAssertEqual(Set(job.detail?.photos.compactMap(\.caption) ?? []), ["Fan blade", "Blurred"])
        await queue.load()
        XCTAssertFalse(queue.items.contains { $0.id == wrong.id })

        // From the photo queue: gone from the queue and from the job screen.
        let blurred = try XCTUnwrap(queue.items.first { $0.caption == "Blurred" })
        let dropped = await queue.remove(blurred)
        XCTAssertTrue(dropped, "\(String(describing: queue.message))")
        XCTAssertNil(queue.message)
        XCTAssertEqual(queue.items.compactMap(\.caption), ["Fan blade"])
        await job.load()
        XCTAssertEqual(job.detail?.photos.compactMap(\.caption), ["Fan blade"])

        // A refusal is said like every other: a photo this phone does not know.
        let unknown = await job.removePhoto(attachmentId: "no-such-photo")
        XCTAssertFalse(unknown)
        XCTAssertEqual(job.message?.key, "error.not_found")
        XCTAssertNil(job.message?.shownDetail, "no English detail on screen")

        // The office receives the removals: its job has only the photo kept, as the phone's does.
        let sent = await sync.syncOnce()
        XCTAssertTrue(sent)
        let (status, server) = try await office.call("GET", "/api/v1/jobs/J-IOS-PHOTO")
        XCTAssertEqual(status, 200)
        let officeJob = try jsonObject(server)
        let phoneJob = try jsonObject(await phone.jobs.officeJSON(jobId: "J-IOS-PHOTO"))
        XCTAssertEqual(captions(officeJob), ["Fan blade"])
        XCTAssertEqual(captions(phoneJob), ["Fan blade"])
    }

    func testTimeProposedFromTheStatusTimelineIsAddedOrEdited() async throws {
        let office = try TestOffice.fromEnvironment()
        let technician = "ios-time"
        try await office.createJob(id: "J-IOS-TIME", technician: technician)
        let phone = try TestOffice.newPhone()
        _ = try await phone.enrollment.enroll(serverURL: office.url, code: office.code(for: technician), deviceName: "iOS time", serverCAPEM: nil)
        let sync = SyncStatusViewModel(repository: phone.sync)
        let first = await sync.syncOnce()
        XCTAssertTrue(first)

        // The technician's day, each step at its own minute (from the next whole minute on):
        // set off at +10, arrived at +45, started at +50, on hold at +110.
        let t0 = (Date().epochMilliseconds / 60_000 + 1) * 60_000
        func at(_ minutes: Int64) -> Date { Date(epochMilliseconds: t0 + minutes * 60_000) }
        let steps: [(JobStatus, Int64)] = [(.accepted, 1), (.enRoute, 10), (.onSite, 45), (.inProgress, 50), (.onHold, 110)]
        for (status, minute) in steps {
            try await phone.jobs.setStatus(jobId: "J-IOS-TIME", status: status, at: at(minute))
        }

        let job = JobDetailViewModel(jobId: "J-IOS-TIME", repository: phone.jobs)
        await job.load()
        XCTAssertEqual(job.status, .onHold)
        XCTAssertEqual(job.detail?.time, [], "nothing recorded yet")
        // The core's proposals, oldest first: travel from en route to arriving, labour from
        // starting to the hold.
        let proposed = job.proposedTimes
        XCTAssertEqual(proposed, [
            ProposedTimeRecord(kind: .travel, startMs: at(10).epochMilliseconds, endMs: at(45).epochMilliseconds),
            ProposedTimeRecord(kind: .labour, startMs: at(50).epochMilliseconds, endMs: at(110).epochMilliseconds),
        ], "\(String(describing: job.message))")
        guard proposed.count == 2 else { return }
        let travel = proposed[0]
        let labour = proposed[1]
        // Said at the site's clock in the locale's own style: "Travel 08:10–08:45, add?".
        let en = try AppStrings.localize("en")
        let zone = try XCTUnwrap(job.siteTimeZone)
        let gb = Locale(identifier: "en_GB")
        let start = SiteTime.time(travel.startMs, zone: zone, locale: gb)
        let end = SiteTime.time(travel.endMs, zone: zone, locale: gb)
        if SiteTime.sameDay(travel.startMs, travel.endMs, zone: zone) {
            XCTAssertEqual(travel.text(zone: zone, locale: gb, en), "Travel \(start)–\(end), add?")
        }

        // Add: recorded exactly as proposed, and no longer proposed.
        let added = await job.addProposedTime(travel)
        XCTAssertTrue(added, "\(String(describing: job.message))")
        XCTAssertEqual(job.detail?.time.map(\.kind), [.travel])
        XCTAssertEqual(job.detail?.time.first?.startMs, travel.startMs)
        XCTAssertEqual(job.detail?.time.first?.endMs, travel.endMs)
        XCTAssertEqual(job.proposedTimes, [labour])

        // Edit: the time form starts from the proposal; the technician started 5 min later.
        // Recorded as edited, the labour it overlaps is no longer proposed.
        let edited = await job.addTime(kind: labour.kind, start: labour.start.addingTimeInterval(5 * 60), end: labour.end)
        XCTAssertTrue(edited, "\(String(describing: job.message))")
        XCTAssertEqual(job.detail?.time.map(\.kind), [.travel, .labour])
        XCTAssertEqual(job.detail?.time.last?.startMs, at(55).epochMilliseconds)
        XCTAssertEqual(job.proposedTimes, [])

        // The office has both entries, as the phone does.
        let sent = await sync.syncOnce()
        XCTAssertTrue(sent)
        let (status, server) = try await office.call("GET", "/api/v1/jobs/J-IOS-TIME")
        XCTAssertEqual(status, 200)
        let officeJob = try jsonObject(server)
        XCTAssertEqual((officeJob["time"] as? [Any])?.count, 2)
        XCTAssertEqual(officeJob["status"] as? String, "on_hold")
        XCTAssertNil(job.syncRefusal, "the office accepted every change")
    }
}

/// The captions of a job JSON's photos (`attachments`), in order.
private func captions(_ job: [String: Any]) -> [String] {
    (job["attachments"] as? [[String: Any]] ?? []).compactMap { $0["caption"] as? String }
}
