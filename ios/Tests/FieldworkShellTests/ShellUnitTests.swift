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
            (.InvalidInput(detail: "d"), "error.invalid_input"),
            (.NotFound(detail: "d"), "error.not_found"),
            (.NotEnrolled(detail: "d"), "error.not_enrolled"),
            (.Offline(detail: "d"), "error.offline"),
            (.Tls(detail: "d"), "error.tls"),
            (.Unauthorized(detail: "d"), "error.unauthorized"),
            (.UpgradeRequired(detail: "d"), "error.upgrade_required"),
            (.RateLimited(detail: "d", retryAfterSecs: 30), "error.rate_limited"),
            (.Server(detail: "d"), "error.server"),
            (.BadSignature(detail: "d"), "error.bad_signature"),
            (.BadImage(detail: "d"), "error.bad_image"),
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
        service.setPending(2)
        service.complete(with: .failure(ApiError.Server(detail: "502")))
        await model.currentSyncFinished()
        XCTAssertEqual(model.indicator, SyncIndicator(key: "error.server", systemImage: "exclamationmark.triangle.fill", tone: .warning))
        XCTAssertEqual(model.pendingChanges, 2)
        XCTAssertTrue(model.canSendNow)

        model.requestSync()
        service.complete(with: .success(ScriptedSync.report))
        await model.currentSyncFinished()
        XCTAssertEqual(model.indicator, SyncIndicator(key: "sync.pending_headline", systemImage: "icloud.and.arrow.up", tone: .working))
        service.setPending(0)
        await model.refreshPending()
        XCTAssertEqual(model.indicator, SyncIndicator(key: "sync.idle", systemImage: "checkmark.icloud", tone: .upToDate))
        XCTAssertEqual(model.lastSynced, clock.date)

        model.requestSync()
        service.complete(with: .failure(ApiError.UpgradeRequired(detail: "426")))
        await model.currentSyncFinished()
        XCTAssertEqual(model.indicator, SyncIndicator(key: "error.upgrade_required", systemImage: "exclamationmark.octagon.fill", tone: .error))
        model.cancel()

        let symbols = ["wifi.slash", "arrow.triangle.2.circlepath", "exclamationmark.triangle.fill", "icloud.and.arrow.up", "checkmark.icloud", "exclamationmark.octagon.fill", "hourglass", "icloud.slash"]
        XCTAssertEqual(Set(symbols).count, symbols.count)
    }

    /// The report preview decodes everything the report holds: the model's golden report.
    func testReportPreviewDecodesTheWholeReport() throws {
        let golden = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("model/tests/golden/report-v1.json")
        let report = try ReportPreview.decode(String(decoding: Data(contentsOf: golden), as: UTF8.self))
        XCTAssertEqual(report.job, "J-GOLDEN")
        XCTAssertEqual(report.language, "zh-CN")
        let content = report.content
        XCTAssertEqual(content.site?.address, "浦东新区 88 Quay Road\n3F")
        XCTAssertEqual(content.asset?.serial, "CH-2291-A")
        XCTAssertEqual(content.diagnoses.map(\.cause), ["human_damage"])
        XCTAssertEqual(content.diagnoses.first?.faultCode, "E-101")
        XCTAssertEqual(content.parts.map(\.sku), ["FAN-40"])
        XCTAssertEqual(content.parts.first?.serialIn, "F-NEW")
        XCTAssertEqual(content.parts.first?.serialOut, "F-OLD")
        XCTAssertEqual(content.workDone.count, 1)
        XCTAssertEqual(content.time.labourMinutes, 75)
        XCTAssertEqual(content.time.travelMinutes, 0)
        XCTAssertEqual(content.checklist, [])
        XCTAssertEqual(content.charges?.total, 64500)
        XCTAssertEqual(content.charges?.currency, "CNY")
        XCTAssertEqual(content.charges?.provisional, false)
    }

    func testStatusNamesAndActions() {
        XCTAssertEqual(JobStatus(wireName: "on_site"), .onSite)
        XCTAssertNil(JobStatus(wireName: "somewhere"))
    }
}
