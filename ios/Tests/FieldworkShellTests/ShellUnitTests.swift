import FieldworkBindings
@testable import FieldworkShell
import XCTest

/// The shell's own rules, no office needed.
final class ShellUnitTests: XCTestCase {
    func testBackoffDoublesUpToTheMaximum() {
        let policy = SyncPolicy(initialDelay: 5, maximumDelay: 60, jitter: 0.2)
        XCTAssertEqual(policy.delay(failures: 1, random: 0.5), 5)
        XCTAssertEqual(policy.delay(failures: 2, random: 0.5), 10)
        XCTAssertEqual(policy.delay(failures: 4, random: 0.5), 40)
        XCTAssertEqual(policy.delay(failures: 5, random: 0.5), 60)
        XCTAssertEqual(policy.delay(failures: 500, random: 0.5), 60)
        XCTAssertEqual(policy.delay(failures: 1, random: 0), 4, accuracy: 1e-9)
        XCTAssertEqual(policy.delay(failures: 1, random: 1), 6, accuracy: 1e-9)
        // Jitter never takes a delay past the maximum (as on Android).
        XCTAssertEqual(policy.delay(failures: 9, random: 1), 60)
        XCTAssertEqual(policy.delay(failures: 9, random: 0), 48, accuracy: 1e-9)
    }

    func testServerAndStorageFailuresAreRetriedAndShown() {
        let policy = SyncPolicy(initialDelay: 5, maximumDelay: 60, jitter: 0)
        XCTAssertEqual(
            policy.decide(after: ApiError.Server(detail: "502"), failures: 1, random: 0.5),
            .retry(after: 5, quietly: false, message: UserMessage(key: "error.server", detail: "502", recovery: .retryLater))
        )
        XCTAssertEqual(
            policy.decide(after: ApiError.Storage(detail: "disk full"), failures: 2, random: 0.5),
            .retry(after: 10, quietly: false, message: UserMessage(key: "error.storage", detail: "disk full", recovery: .reportProblem))
        )
    }

    func testOfflineRetriesQuietlyAndTlsOrUnauthorizedStop() {
        let policy = SyncPolicy(initialDelay: 5, maximumDelay: 60, jitter: 0)
        XCTAssertEqual(
            policy.decide(after: ApiError.Offline(detail: "no route"), failures: 2, random: 0.5),
            .retry(after: 10, quietly: true, message: UserMessage(key: "error.offline", detail: "no route", recovery: .none))
        )
        guard case .retry(_, quietly: false, _) = policy.decide(after: ApiError.Server(detail: "502"), failures: 1) else {
            return XCTFail("a server failure is retried, not quietly")
        }
        XCTAssertEqual(
            policy.decide(after: ApiError.Tls(detail: "unknown issuer"), failures: 1),
            .stop(UserMessage(key: "error.tls", detail: "unknown issuer", recovery: .contactOffice))
        )
        XCTAssertEqual(
            policy.decide(after: ApiError.Unauthorized(detail: "revoked"), failures: 1),
            .stop(UserMessage(key: "error.unauthorized", detail: "revoked", recovery: .enrollAgain))
        )
    }

    func testUpgradeRequiredStopsAndTellsTheUserToUpdateTheApp() {
        let policy = SyncPolicy(initialDelay: 5, maximumDelay: 60, jitter: 0)
        for failures in [1, 7] {
            XCTAssertEqual(
                policy.decide(after: ApiError.UpgradeRequired(detail: "sync version 0"), failures: failures),
                .stop(UserMessage(key: "error.upgrade_required", detail: "sync version 0", recovery: .updateApp))
            )
        }
    }

    func testRateLimitedWaitsQuietlyAtLeastTheRetryAfter() {
        let policy = SyncPolicy(initialDelay: 5, maximumDelay: 60, jitter: 0.2)
        let message = UserMessage(key: "error.rate_limited", detail: "wait", recovery: .none)
        // The office's wait, longer than the backoff and the backoff's cap, whatever the jitter.
        for random in [0.0, 0.5, 1.0] {
            XCTAssertEqual(
                policy.decide(after: ApiError.RateLimited(detail: "wait", retryAfterSecs: 120), failures: 1, random: random),
                .wait(after: 120, hold: 120, message: message)
            )
        }
        // A short wait in a row still backs off: the retry never sooner than either, but only
        // the office's wait holds a sync the user asks for.
        XCTAssertEqual(
            policy.decide(after: ApiError.RateLimited(detail: "wait", retryAfterSecs: 1), failures: 3, random: 0.5),
            .wait(after: 20, hold: 1, message: message)
        )
        // An absurd Retry-After is bounded to a day.
        XCTAssertEqual(
            policy.decide(after: ApiError.RateLimited(detail: "wait", retryAfterSecs: UInt64.max), failures: 1, random: 0.5),
            .wait(after: SyncPolicy.maximumRetryAfter, hold: SyncPolicy.maximumRetryAfter, message: message)
        )
    }

    func testEveryErrorHasAMessage() {
        let cases: [(ApiError, String)] = [
            (.InvalidInput(detail: "d", reason: .other), "error.invalid_input"),
            (.NotFound(detail: "d"), "error.not_found"),
            (.NotEnrolled(detail: "d"), "error.not_enrolled"),
            (.Offline(detail: "d"), "error.offline"),
            (.Tls(detail: "d"), "error.tls"),
            (.Unauthorized(detail: "d"), "error.unauthorized"),
            (.UpgradeRequired(detail: "d"), "error.upgrade_required"),
            (.RateLimited(detail: "d", retryAfterSecs: 30), "error.rate_limited"),
            (.Server(detail: "d"), "error.server"),
            (.BadSignature(detail: "d"), "error.bad_signature"),
            (.BadImage(detail: "d", reason: .notAnImage), "image.not_an_image"),
            (.CannotSign(detail: "d"), "error.cannot_sign"),
            (.Render(detail: "d"), "error.render"),
            (.Storage(detail: "d"), "error.storage"),
            (.Internal(detail: "d"), "error.internal"),
        ]
        for (error, key) in cases {
            XCTAssertEqual(ErrorMessages.message(for: error).key, key)
            XCTAssertEqual(ErrorMessages.message(for: error).detail, "d")
        }
        XCTAssertEqual(ErrorMessages.message(for: CocoaError(.fileNoSuchFile)).key, "error.unexpected")
    }

    /// A refused value is said from the core's reason and parameters, its field and statuses in
    /// words; the English detail is kept for the log, never shown.
    func testRefusedValuesAreSaidFromTheirReason() {
        let detail = "invalid input: qty must be 1 to 10000, got 0"
        let qty = ErrorMessages.message(for: ApiError.InvalidInput(detail: detail, reason: .outOfRange(field: "qty", min: 1, max: 10_000, got: 0)))
        XCTAssertEqual(qty.key, "refused.out_of_range")
        XCTAssertEqual(qty.arguments, [.words("field.qty"), .number(1), .number(10_000)])
        XCTAssertEqual(qty.recovery, .correctInput)
        XCTAssertEqual(qty.detail, detail, "kept for the log")
        XCTAssertNil(qty.shownDetail, "never on screen")
        XCTAssertEqual(qty.headlineKey, "error.invalid_input")

        let moved = ErrorMessages.message(for: ApiError.InvalidInput(detail: "d", reason: .statusNotAllowed(from: .completed, to: .enRoute)))
        XCTAssertEqual(moved.key, "refused.status_not_allowed")
        XCTAssertEqual(moved.arguments, [.words("status.completed"), .words("status.en_route")])
        let loaner = ErrorMessages.message(for: ApiError.InvalidInput(detail: "d", reason: .loanerAlreadyOut(serial: "LN-1")))
        XCTAssertEqual(loaner.arguments, [.text("LN-1")])

        // Every field the core names has its words; one this app does not know is "this value".
        for (field, key) in [("note text", "field.note_text"), ("qty", "field.qty"), ("sku", "field.sku"),
                             ("fault code", "field.fault_code"), ("serial_in", "field.serial_in"),
                             ("serial_out", "field.serial_out"), ("loaner serial", "field.loaner_serial"),
                             ("loaner model", "field.loaner_model"), ("start", "field.start"), ("end", "field.end"),
                             ("caption", "field.caption"), ("reason", "field.reason"), ("flux capacitor", "field.this_value")] {
            XCTAssertEqual(ErrorMessages.fieldKey(field), key, field)
        }

        let photo = ErrorMessages.message(for: ApiError.BadImage(detail: "d", reason: .tooManyPixels(width: 20000, height: 15000)))
        XCTAssertEqual(photo.key, "image.too_many_pixels")
        XCTAssertEqual(photo.arguments, [.number(20000), .number(15000)])
        XCTAssertEqual(photo.recovery, .chooseAnotherPhoto)
        XCTAssertNil(photo.shownDetail)

        // A server failure's detail is for the office's IT and is shown.
        XCTAssertEqual(ErrorMessages.message(for: ApiError.Server(detail: "502")).shownDetail, "502")
    }

    /// What a refused value says on a Chinese phone (and an English one), from the app's own
    /// Localizable.strings: the field in words, the numbers put in, no English detail.
    func testARefusedValueInChinese() throws {
        let zh = try AppStrings.localize("zh-Hans")
        let en = try AppStrings.localize("en")
        let detail = "invalid input: qty must be 1 to 10000, got 0"
        let qty = ErrorMessages.message(for: ApiError.InvalidInput(detail: detail, reason: .outOfRange(field: "qty", min: 1, max: 10_000, got: 0)))
        XCTAssertEqual(qty.text(zh), "数量须在 1 至 10000 之间。")
        XCTAssertEqual(qty.text(en), "The quantity must be 1 to 10000.")
        XCTAssertFalse(qty.text(zh).contains("qty"))

        let note = ErrorMessages.message(for: ApiError.InvalidInput(detail: "d", reason: .empty(field: "note text")))
        XCTAssertEqual(note.text(zh), "备注不能为空。")
        let moved = ErrorMessages.message(for: ApiError.InvalidInput(detail: "d", reason: .statusNotAllowed(from: .completed, to: .enRoute)))
        XCTAssertEqual(moved.text(zh), "工单当前为「已完工」，不能变为「在途」。")
        let unknown = ErrorMessages.message(for: ApiError.InvalidInput(detail: "d", reason: .label(field: "warp coil", max: 128)))
        XCTAssertEqual(unknown.text(zh), "该值须为 1 至 128 个字符。")
        XCTAssertEqual(unknown.text(en), "This value must be 1 to 128 characters.")
        let photo = ErrorMessages.message(for: ApiError.BadImage(detail: "d", reason: .tooLarge(maxMib: 25)))
        XCTAssertEqual(photo.text(zh), "照片超过 25 MiB。")
    }

    /// Every message the shell can make, with every field and status it can name, is in both
    /// languages, and nothing is left unformatted.
    func testEveryRefusalIsSaidInBothLanguages() throws {
        let detail = "ENGLISH-DETAIL"
        var messages: [UserMessage] = []
        let reasons: [InputReason] = [
            .empty(field: "x"), .tooLong(field: "x", max: 16384), .label(field: "x", max: 128),
            .outOfRange(field: "x", min: 1, max: 9, got: 0), .timeOutOfRange(field: "x", first: 2000, last: 2100),
            .endsBeforeStart, .spanTooLong(maxHours: 168), .unknownStock, .loanerModelMissing,
            .loanerAlreadyOut(serial: "LN-1"), .loanerNotOut(serial: "LN-1"), .notACheckResult,
            .noSuchCheckItem(item: "door"), .statusNotAllowed(from: .assigned, to: .completed),
            .notATechnicianStatus, .notLineAuthor, .notPhotoAuthor, .jobCancelled, .alreadyEnrolled(server: "https://office"), .other,
        ]
        messages += reasons.map { ErrorMessages.message(for: $0, detail: detail) }
        let images: [ImageReason] = [.tooLarge(maxMib: 25), .notAnImage, .tooManyPixels(width: 1, height: 2), .damaged, .cannotSave]
        messages += images.map { ErrorMessages.message(for: $0, detail: detail) }
        for field in ErrorMessages.fieldKeys.keys {
            messages.append(ErrorMessages.message(for: .empty(field: field), detail: detail))
        }
        let statuses: [JobStatus] = [.new, .assigned, .accepted, .enRoute, .onSite, .inProgress, .onHold, .completed, .cancelled]
        for status in statuses {
            messages.append(ErrorMessages.message(for: .statusNotAllowed(from: status, to: status), detail: detail))
        }
        for localization in ["en", "zh-Hans"] {
            let localize = try AppStrings.localize(localization)
            for message in messages {
                let text = message.text(localize)
                XCTAssertFalse(text.contains("<missing"), "\(localization): \(message.key) \(text)")
                XCTAssertFalse(text.contains("%"), "\(localization): \(message.key) \(text)")
                XCTAssertFalse(text.contains(detail), "no English detail in \(text)")
            }
        }
    }

    func testSignatureStrokesJSON() {
        var recorder = SignatureRecorder(width: 300, height: 100)
        recorder.begin(x: 10.4, y: 80, timestamp: 50, force: 0.5)
        recorder.move(x: 10.2, y: 80.3, timestamp: 50.010, force: 0.9) // same point: dropped
        recorder.move(x: 350, y: -5, timestamp: 50.016, force: 1.7) // clamped to the canvas
        recorder.move(x: 60, y: 20, timestamp: 49, force: nil) // time never goes backwards
        recorder.end()
        recorder.begin(x: 150, y: 50, timestamp: 50.2, force: nil)
        recorder.end()
        XCTAssertEqual(
            recorder.json(),
            #"{"canvas":{"width":300,"height":100},"strokes":[[[10,80,0,500],[300,0,16,1000],[60,20,16,500]],[[150,50,200,500]]]}"#
        )
        recorder.clear()
        XCTAssertTrue(recorder.isEmpty)
    }

    func testSignatureLimits() {
        var recorder = SignatureRecorder(width: 300, height: 100)
        for i in 0..<70 {
            recorder.begin(x: Double(i), y: 10, timestamp: Double(i), force: nil)
            recorder.move(x: Double(i), y: 90, timestamp: Double(i) + 0.01, force: nil)
            recorder.end()
        }
        XCTAssertEqual(recorder.strokes.count, SignatureRecorder.maxStrokes)
        XCTAssertTrue(recorder.isFull)
    }

    /// The SLA risk in words, as Android's SlaText: minutes up to two hours, then hours.
    func testSlaRiskInWords() throws {
        XCTAssertEqual(SlaText.of(risk: .breached, minutesLeft: -20), SlaWords(key: "sla.overdue_minutes", amount: 20))
        XCTAssertEqual(SlaText.of(risk: .breached, minutesLeft: -1), SlaWords(key: "sla.overdue_minutes", amount: 1))
        XCTAssertEqual(SlaText.of(risk: .breached, minutesLeft: -181), SlaWords(key: "sla.overdue_hours", amount: 3))
        XCTAssertEqual(SlaText.of(risk: .atRisk, minutesLeft: 15), SlaWords(key: "sla.at_risk_minutes", amount: 15))
        XCTAssertEqual(SlaText.of(risk: .atRisk, minutesLeft: 300), SlaWords(key: "sla.at_risk_hours", amount: 5))
        XCTAssertEqual(SlaText.of(risk: .onTrack, minutesLeft: 120), SlaWords(key: "sla.left_minutes", amount: 120))
        XCTAssertEqual(SlaText.of(risk: .onTrack, minutesLeft: 121), SlaWords(key: "sla.left_hours", amount: 2))
        XCTAssertEqual(SlaText.of(risk: .onTrack, minutesLeft: 180), SlaWords(key: "sla.left_hours", amount: 3))
        XCTAssertNil(SlaText.of(risk: .none, minutesLeft: 30), "no clock runs")
        XCTAssertNil(SlaText.of(risk: .onTrack, minutesLeft: nil))

        let en = try AppStrings.localize("en")
        let zh = try AppStrings.localize("zh-Hans")
        let overdue = try XCTUnwrap(SlaText.of(risk: .breached, minutesLeft: -20))
        let atRisk = try XCTUnwrap(SlaText.of(risk: .atRisk, minutesLeft: 15))
        let left = try XCTUnwrap(SlaText.of(risk: .onTrack, minutesLeft: 180))
        XCTAssertEqual([overdue, atRisk, left].map { $0.text(en) }, ["Overdue 20 min", "At risk, 15 min left", "3 h left"])
        XCTAssertEqual([overdue, atRisk, left].map { $0.text(zh) }, ["已超时 20 分钟", "有风险，剩余 15 分钟", "剩余 3 小时"])

        // A Today row says the core's state and minutes; a closed job runs no clock.
        func row(_ status: JobStatus, _ state: SlaState?, _ minutes: Int64?) -> JobRow {
            JobRow(record: JobSummaryRecord(
                id: "J-1", status: status, priority: "high", customerName: "Harbour Clinic", siteAddress: "88 Quay Road",
                reportedAtMs: 0, scheduledStartMs: nil, scheduledEndMs: nil, pendingSync: false, syncError: nil,
                slaMilestone: "response", slaDueMs: 0, siteTimeZone: "Asia/Shanghai", slaState: state, slaMinutesLeft: minutes
            ))
        }
        XCTAssertEqual(row(.assigned, .breached, -20).slaWords?.text(en), "Overdue 20 min")
        XCTAssertEqual(row(.enRoute, .atRisk, 15).slaWords?.text(en), "At risk, 15 min left")
        XCTAssertNil(row(.completed, .breached, -20).slaWords)
        XCTAssertNil(row(.assigned, nil, nil).slaWords)

        // A milestone says its own words, none once met.
        let breached = MilestoneLine(MilestoneRecord(kind: .response, dueMs: 0, state: .breached, metAtMs: nil, minutesLeft: -20))
        XCTAssertEqual(breached.words, overdue)
        XCTAssertEqual(breached.kind.labelKey, "sla.response")
        let met = MilestoneLine(MilestoneRecord(kind: .arrival, dueMs: 0, state: .met, metAtMs: 0, minutesLeft: nil))
        XCTAssertNil(met.words)
    }

    /// What the job screen shows beside the record: a phone to call, money in minor units,
    /// times at the site's clock.
    func testPhoneMoneyAndSiteTime() {
        XCTAssertEqual(CustomerRecord(name: "Harbour Clinic", phone: "+86 (21) 5555-0101").callURL?.absoluteString, "tel:+862155550101")
        XCTAssertNil(CustomerRecord(name: "Harbour Clinic", phone: "").callURL, "no phone recorded")
        XCTAssertTrue(Money.text(minor: 64500, currency: "CNY", locale: Locale(identifier: "en_US")).contains("645.00"))
        let due = instant("2026-11-24T09:30:00+08:00").epochMilliseconds
        XCTAssertEqual(SiteTime.time(due, zone: "Asia/Shanghai", locale: Locale(identifier: "en_GB")), "09:30")
        XCTAssertEqual(SiteTime.time(due, zone: "Europe/London", locale: Locale(identifier: "en_GB")), "01:30")
    }

    /// Times in the locale's own style (`Date.FormatStyle`, never a fixed pattern): 24-hour in
    /// en_GB and Chinese, 12-hour in en_US; a span over midnight at the site has its dates.
    func testTimesFollowTheLocalesClockConvention() {
        let evening = instant("2026-11-24T17:30:00+08:00").epochMilliseconds
        XCTAssertEqual(SiteTime.time(evening, zone: "Asia/Shanghai", locale: Locale(identifier: "en_GB")), "17:30")
        XCTAssertEqual(SiteTime.time(evening, zone: "Asia/Shanghai", locale: Locale(identifier: "zh_CN")), "17:30")
        let us = SiteTime.time(evening, zone: "Asia/Shanghai", locale: Locale(identifier: "en_US"))
        XCTAssertTrue(us.hasPrefix("5:30") && us.hasSuffix("PM"), us)
        XCTAssertTrue(SiteTime.dateTime(evening, zone: "Asia/Shanghai", locale: Locale(identifier: "zh_CN")).hasSuffix("17:30"))

        let late = instant("2026-11-24T23:10:00+08:00").epochMilliseconds
        let after = instant("2026-11-25T00:45:00+08:00").epochMilliseconds
        XCTAssertFalse(SiteTime.sameDay(late, after, zone: "Asia/Shanghai"))
        XCTAssertTrue(SiteTime.sameDay(late, after, zone: "Europe/London"), "15:10 and 16:45 in London")
        let overnight = SiteTime.span(late, after, zone: "Asia/Shanghai", locale: Locale(identifier: "en_GB"))
        XCTAssertTrue(overnight.start.contains("23:10") && overnight.start != "23:10", overnight.start)
        XCTAssertTrue(overnight.end.contains("00:45") && overnight.end != "00:45", overnight.end)
        let sameDay = SiteTime.span(late, after, zone: "Europe/London", locale: Locale(identifier: "en_GB"))
        XCTAssertEqual([sameDay.start, sameDay.end], ["15:10", "16:45"])
    }

    /// A time proposal of the core's said at the site's clock: "Travel 08:10–08:45, add?".
    func testTimeProposalInWords() throws {
        let travel = ProposedTimeRecord(
            kind: .travel,
            startMs: instant("2026-11-24T08:10:00+08:00").epochMilliseconds,
            endMs: instant("2026-11-24T08:45:00+08:00").epochMilliseconds
        )
        let en = try AppStrings.localize("en")
        let zh = try AppStrings.localize("zh-Hans")
        XCTAssertEqual(travel.text(zone: "Asia/Shanghai", locale: Locale(identifier: "en_GB"), en), "Travel 08:10–08:45, add?")
        XCTAssertEqual(travel.text(zone: "Asia/Shanghai", locale: Locale(identifier: "zh_CN"), zh), "路程 08:10–08:45，是否添加？")
        XCTAssertEqual(
            travel.text("job.time_proposal_add_label", zone: "Asia/Shanghai", locale: Locale(identifier: "en_GB"), en),
            "Add Travel 08:10 to 08:45"
        )
        let labour = ProposedTimeRecord(kind: .labour, startMs: travel.startMs, endMs: travel.endMs)
        XCTAssertTrue(labour.text(zone: "Asia/Shanghai", locale: Locale(identifier: "en_US"), en).hasPrefix("Labour 8:10"))
        XCTAssertEqual(travel.start, Date(epochMilliseconds: travel.startMs))
        XCTAssertEqual(travel.end.timeIntervalSince(travel.start), 35 * 60)
    }

    /// A photo's removal refused by the author rule is said of a photo (the core's own reason).
    func testPhotoRemovalRefusalsAreSaidOfAPhoto() throws {
        let en = try AppStrings.localize("en")
        let zh = try AppStrings.localize("zh-Hans")
        let notMine = ErrorMessages.message(for: ApiError.InvalidInput(detail: "ENGLISH-DETAIL", reason: .notPhotoAuthor))
        XCTAssertEqual(notMine.key, "refused.not_photo_author")
        XCTAssertEqual(notMine.text(en), "Only the technician who took this photo can remove it.")
        XCTAssertEqual(notMine.text(zh), "只有拍摄该照片的技术员才能移除它。")
        XCTAssertEqual(notMine.detail, "ENGLISH-DETAIL", "kept for the log")
        XCTAssertNil(notMine.shownDetail)
        // A part line's refusal keeps its own words.
        XCTAssertEqual(ErrorMessages.message(for: ApiError.InvalidInput(detail: "d", reason: .notLineAuthor)).key, "refused.not_line_author")
        let gone = ErrorMessages.message(for: ApiError.NotFound(detail: "no photo p1"))
        XCTAssertEqual(gone, UserMessage(key: "error.not_found", detail: "no photo p1", recovery: .none))
    }

    /// The office's refusal of a job's changes is a sentence in the phone's language; the
    /// office's English words are only its detail (behind "Details").
    func testTheOfficesRefusalOfAJobIsSaidInThePhonesLanguage() throws {
        let en = try AppStrings.localize("en")
        let zh = try AppStrings.localize("zh-Hans")
        func row(syncError: String?) -> JobRow {
            JobRow(record: JobSummaryRecord(
                id: "J-1", status: .onSite, priority: "high", customerName: "Harbour Clinic", siteAddress: "88 Quay Road",
                reportedAtMs: 0, scheduledStartMs: nil, scheduledEndMs: nil, pendingSync: true, syncError: syncError,
                slaMilestone: nil, slaDueMs: nil, siteTimeZone: "Asia/Shanghai", slaState: nil, slaMinutesLeft: nil
            ))
        }
        XCTAssertNil(row(syncError: nil).syncRefusal)
        let refused = try XCTUnwrap(row(syncError: "status completed -> en_route not allowed").syncRefusal)
        XCTAssertEqual(refused.text(en), "The office refused this job's last changes: ask dispatch.")
        XCTAssertEqual(refused.text(zh), "公司拒收了此工单最近的更改：请联系调度。")
        XCTAssertEqual(refused.detail, "status completed -> en_route not allowed", "for support, behind Details")
        XCTAssertFalse(refused.text(zh).contains("not allowed"))
        XCTAssertEqual(row(syncError: nil).siteTimeZone, "Asia/Shanghai")
    }

    func testSlaRiskIsTheCoresState() {
        XCTAssertEqual(SlaRisk.of(state: nil, status: .accepted), .none)
        XCTAssertEqual(SlaRisk.of(state: .pending, status: .accepted), .onTrack)
        XCTAssertEqual(SlaRisk.of(state: .atRisk, status: .enRoute), .atRisk)
        XCTAssertEqual(SlaRisk.of(state: .breached, status: .onSite), .breached)
        XCTAssertEqual(SlaRisk.of(state: .met, status: .inProgress), .none)
        XCTAssertEqual(SlaRisk.of(state: .breached, status: .completed), .none)
    }

    /// Each state has its own symbol and tone, so nothing is told by colour alone; offline is
    /// `wifi.slash` in the offline tone, and "Send now" is off while it could not send.
    @MainActor
    func testSyncIndicatorGivesEachStateItsOwnSymbolAndTone() async {
        let service = ScriptedSync()
        let clock = ManualSyncClock()
        let model = SyncStatusViewModel(repository: service, clock: clock, online: false, random: { 0.5 })
        XCTAssertEqual(model.phase, .waitingForNetwork)
        XCTAssertEqual(model.indicator, SyncIndicator(key: "sync.offline", systemImage: "wifi.slash", tone: .offline))
        XCTAssertFalse(model.canSendNow)
        model.requestSync()
        XCTAssertEqual(model.attempts, 0, "nothing is attempted without a network")

        model.networkChanged(online: true)
        XCTAssertEqual(model.indicator, SyncIndicator(key: "sync.syncing", systemImage: "arrow.triangle.2.circlepath", tone: .working))
        XCTAssertFalse(model.canSendNow)
        service.setPending(jobs: 2, photos: 1)
        service.complete(with: .failure(ApiError.Server(detail: "502")))
        await model.currentSyncFinished()
        XCTAssertEqual(model.indicator, SyncIndicator(key: "error.server", systemImage: "exclamationmark.triangle.fill", tone: .warning))
        XCTAssertEqual(model.pendingChanges, 2)
        XCTAssertEqual(model.pendingPhotos, 1)
        XCTAssertNil(model.lastSynced, "nothing sent yet")
        XCTAssertTrue(model.canSendNow)

        model.requestSync()
        service.complete(with: .success(ScriptedSync.report), at: clock.date)
        await model.currentSyncFinished()
        XCTAssertEqual(model.indicator, SyncIndicator(key: "sync.pending_headline", systemImage: "icloud.and.arrow.up", tone: .working))
        service.setPending(jobs: 0, photos: 0)
        await model.refreshState()
        XCTAssertEqual(model.indicator, SyncIndicator(key: "sync.idle", systemImage: "checkmark.icloud", tone: .upToDate))
        XCTAssertEqual(model.lastSynced, clock.date, "the core's record of the last successful sync")

        model.requestSync()
        service.complete(with: .failure(ApiError.UpgradeRequired(detail: "426")))
        await model.currentSyncFinished()
        XCTAssertEqual(model.indicator, SyncIndicator(key: "error.upgrade_required", systemImage: "exclamationmark.octagon.fill", tone: .error))
        model.cancel()

        let symbols = ["wifi.slash", "arrow.triangle.2.circlepath", "exclamationmark.triangle.fill", "icloud.and.arrow.up", "checkmark.icloud", "exclamationmark.octagon.fill", "hourglass", "icloud.slash"]
        XCTAssertEqual(Set(symbols).count, symbols.count)
    }

    /// The last successful send is the core's record, so a new status (the app restarted)
    /// shows it before any sync; a failed sync does not change it.
    @MainActor
    func testLastSentIsTheCoresRecordAcrossRestarts() async {
        let service = ScriptedSync()
        let sent = Date(timeIntervalSince1970: 1_795_000_000)
        service.setLastSuccess(sent)
        service.setPending(jobs: 1, photos: 3)
        let clock = ManualSyncClock()
        let model = SyncStatusViewModel(repository: service, clock: clock, random: { 0.5 })
        XCTAssertNil(model.lastSynced)
        await model.refreshState()
        XCTAssertEqual(model.lastSynced, sent)
        XCTAssertEqual(model.pendingChanges, 1)
        XCTAssertEqual(model.pendingPhotos, 3)
        model.requestSync()
        service.complete(with: .failure(ApiError.Offline(detail: "no route")))
        await model.currentSyncFinished()
        XCTAssertEqual(model.lastSynced, sent)
        model.cancel()
    }

    /// The outline's outcome read for the review: its attestation, notice and fields.
    func testOutlineOutcomeAndWords() {
        let parts = OutlineSectionRecord(
            title: "Parts", paragraph: nil,
            columns: [OutlineColumnRecord(title: "SKU", share: 0.5, alignEnd: false), OutlineColumnRecord(title: "Qty", share: 0.5, alignEnd: true)],
            rows: [OutlineRowRecord(cells: ["FAN-200", "2"], total: false)], note: nil
        )
        let preview = ReportOutlineRecord(
            title: "Completion report", job: "Job J-1", status: "Version 1 · Preview, not signed",
            overview: [OutlineFieldRecord(label: "Customer", value: "Harbour Clinic")],
            sections: [parts], photosTitle: "Photos", photos: [OutlinePhotoRecord(id: "abc", words: "Fan blade")],
            outcome: .preview(title: "Signature", notice: "Not signed: this is a preview.", attestation: "The customer confirms the work.")
        )
        XCTAssertEqual(preview.outcome.attestation, "The customer confirms the work.")
        XCTAssertEqual(preview.outcome.notice, "Not signed: this is a preview.")
        XCTAssertEqual(preview.outcome.fields, [])
        XCTAssertTrue(preview.hasRow(withCell: "FAN-200"))
        XCTAssertFalse(preview.hasRow(withCell: "Harbour Clinic"))
        XCTAssertTrue(preview.allWords.contains("Fan blade"))
        let refused = OutlineOutcomeRecord.refused(title: "Refusal", fields: [OutlineFieldRecord(label: "Reason", value: "hours")])
        XCTAssertNil(refused.attestation)
        XCTAssertEqual(refused.fields.map(\.value), ["hours"])
    }
}
