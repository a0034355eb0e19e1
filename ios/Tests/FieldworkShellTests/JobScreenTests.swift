import FieldworkBindings
import FieldworkShell
import XCTest

/// The job screen renders the core's `JobDetailRecord` against the real core and office: a job
/// under a contract (the demo's Gold terms) judged at chosen instants, so the SLA's words are
/// known: the headline and each milestone in words, the same words as the Today row at that
/// instant, in English and Chinese; notes by role; a removable part line removed; charges from
/// the contract; a photo's thumbnail.
@MainActor
final class JobScreenTests: XCTestCase {
    func testTheJobScreenRendersTheCoresRecord() async throws {
        let office = try TestOffice.fromEnvironment()
        let technician = "ios-detail"
        try await office.createContract(id: "IOS-GOLD")
        try await office.createAsset(serial: "CH-IOS-DETAIL", model: "Chiller 300RT", contract: "IOS-GOLD")
        try await office.createJob(id: "J-IOS-DETAIL", technician: technician, asset: "CH-IOS-DETAIL", priority: "emergency")
        try await office.addNote(jobId: "J-IOS-DETAIL", text: "Gate code 4411")
        let phone = try TestOffice.newPhone()
        _ = try await phone.enrollment.enroll(serverURL: office.url, code: office.code(for: technician), deviceName: "iOS detail", serverCAPEM: nil)
        let sync = SyncStatusViewModel(repository: phone.sync)
        let synced = await sync.syncOnce()
        XCTAssertTrue(synced)
        let en = try AppStrings.localize("en")
        let zh = try AppStrings.localize("zh-Hans")

        // Reported Tuesday 09:00 in Shanghai; response due 09:30 (30 working minutes), arrival
        // 11:00, resolution 17:00. At 09:50 nobody has accepted it: the response is 20 min late.
        let late = instant("2026-11-24T09:50:00+08:00")
        let job = JobDetailViewModel(jobId: "J-IOS-DETAIL", repository: phone.jobs, photos: phone.photos, now: { late })
        await job.load()
        let detail = try XCTUnwrap(job.detail, "\(String(describing: job.message))")
        XCTAssertEqual(detail.customer.phone, "+86 21 5555 0101")
        XCTAssertEqual(detail.customer.callURL, URL(string: "tel:+862155550101"))
        XCTAssertEqual(detail.asset.model, "Chiller 300RT", "from the asset register")
        XCTAssertEqual(detail.priority, .emergency)
        XCTAssertEqual(detail.atMs, late.epochMilliseconds)
        XCTAssertEqual(job.statusActions, [.accepted])

        let sla = try XCTUnwrap(detail.sla, "a contract: an SLA")
        XCTAssertEqual(sla.state, .breached)
        XCTAssertEqual(sla.minutesLeft, -20)
        XCTAssertEqual(job.slaRisk, .breached)
        XCTAssertEqual(job.slaWords?.text(en), "Overdue 20 min")
        XCTAssertEqual(job.slaWords?.text(zh), "已超时 20 分钟")
        XCTAssertEqual(job.milestones.map(\.kind), [.response, .arrival, .resolution])
        XCTAssertEqual(job.milestones.map(\.state), [.breached, .pending, .pending])
        XCTAssertEqual(job.milestones.map(\.dueMs), [
            instant("2026-11-24T09:30:00+08:00").epochMilliseconds,
            instant("2026-11-24T11:00:00+08:00").epochMilliseconds,
            instant("2026-11-24T17:00:00+08:00").epochMilliseconds,
        ])
        XCTAssertEqual(job.milestones.map { $0.words?.text(en) }, ["Overdue 20 min", "70 min left", "7 h left"])
        XCTAssertEqual(SiteTime.time(job.milestones[0].dueMs, zone: detail.site.timeZone, locale: Locale(identifier: "en_GB")), "09:30")

        // The Today row at the same instant says the same words (the same core rule).
        let today = TodayViewModel(repository: phone.jobs, now: { late })
        await today.load()
        let row = try XCTUnwrap(today.rows.first { $0.id == "J-IOS-DETAIL" })
        XCTAssertEqual(row.slaRisk, .breached)
        XCTAssertEqual(row.slaWords, job.slaWords)

        // At 09:26, 80 % of the response's budget is spent: at risk, 4 min left.
        let close = JobDetailViewModel(jobId: "J-IOS-DETAIL", repository: phone.jobs, now: { instant("2026-11-24T09:26:00+08:00") })
        await close.load()
        XCTAssertEqual(close.slaRisk, .atRisk)
        XCTAssertEqual(close.slaWords?.text(en), "At risk, 4 min left")
        XCTAssertEqual(close.slaWords?.text(zh), "有风险，剩余 4 分钟")

        // Notes by role: dispatch's and this technician's.
        let noted = await job.addNote("Parked at the loading bay")
        XCTAssertTrue(noted, "\(String(describing: job.message))")
        XCTAssertEqual(job.detail?.notes.map(\.authorRole), [.dispatch, .me])
        XCTAssertEqual(job.detail?.notes.map(\.text), ["Gate code 4411", "Parked at the loading bay"])

        // A part this technician fitted may be removed, and then is no longer shown.
        var form = PartForm()
        form.sku = "FAN-200"
        form.description = "Condenser fan motor"
        form.qty = 2
        let fitted = await job.addPart(form)
        XCTAssertTrue(fitted, "\(String(describing: job.message))")
        let line = try XCTUnwrap(job.detail?.parts.first)
        XCTAssertEqual([line.sku, line.description], ["FAN-200", "Condenser fan motor"])
        XCTAssertEqual(line.qty, 2)
        XCTAssertTrue(line.removable)
        let charges = try XCTUnwrap(job.detail?.charges, "priced by the contract")
        XCTAssertTrue(charges.lines.contains { $0.kind == .part && $0.sku == "FAN-200" && $0.qty == 2 })
        XCTAssertEqual(charges.totalMinor, charges.lines.map(\.amountMinor).reduce(0, +))
        let removed = await job.removePart(lineId: line.id)
        XCTAssertTrue(removed, "\(String(describing: job.message))")
        XCTAssertEqual(job.detail?.parts, [])

        // A photo: its thumbnail from the core.
        let photos = PhotoQueueViewModel(jobs: phone.jobs, photos: phone.photos)
        let added = await photos.add(jobId: "J-IOS-DETAIL", data: samplePNG(width: 640, height: 480), caption: "Fan blade")
        XCTAssertNotNil(added, "\(String(describing: photos.message))")
        await job.load()
        let photo = try XCTUnwrap(job.detail?.photos.first)
        XCTAssertEqual(photo.caption, "Fan blade")
        XCTAssertTrue(photo.onDevice && !photo.uploaded)
        let thumbnail = await job.thumbnail(for: photo)
        XCTAssertEqual(thumbnail.map { Array($0.prefix(3)) }, [0xFF, 0xD8, 0xFF], "a JPEG")

        // Accepting (now, long after the deadline) meets the response late: the core keeps it
        // breached, with the time it was met.
        let accepted = await job.setStatus(.accepted)
        XCTAssertTrue(accepted, "\(String(describing: job.message))")
        XCTAssertEqual(job.milestones.first?.state, .breached, "met after its deadline")
        XCTAssertNotNil(job.milestones.first?.metAtMs)
        XCTAssertEqual(job.statusActions, job.detail?.offeredStatuses)
        XCTAssertFalse(job.statusActions.contains(.accepted), "never the current status")
    }
}
