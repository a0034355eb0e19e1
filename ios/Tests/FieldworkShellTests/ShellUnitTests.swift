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
                .wait(after: 120, message: message)
            )
        }
        // A short wait in a row still backs off: never sooner than either.
        XCTAssertEqual(
            policy.decide(after: ApiError.RateLimited(detail: "wait", retryAfterSecs: 1), failures: 3, random: 0.5),
            .wait(after: 20, message: message)
        )
        // An absurd Retry-After is bounded to a day.
        XCTAssertEqual(
            policy.decide(after: ApiError.RateLimited(detail: "wait", retryAfterSecs: UInt64.max), failures: 1, random: 0.5),
            .wait(after: SyncPolicy.maximumRetryAfter, message: message)
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

    func testStatusNamesAndActions() {
        XCTAssertEqual(JobStatus(wireName: "on_site"), .onSite)
        XCTAssertNil(JobStatus(wireName: "somewhere"))
    }
}
