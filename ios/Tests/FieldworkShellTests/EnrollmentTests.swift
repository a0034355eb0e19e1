import FieldworkBindings
import FieldworkShell
import XCTest

/// Enrolling a fresh phone through the view model, against the real office.
@MainActor
final class EnrollmentTests: XCTestCase {
    func testEnrollsWithACodeAndRefusesItTwice() async throws {
        let office = try TestOffice.fromEnvironment()
        let code = try office.code(for: "ios-enroll")

        let phone = try TestOffice.newPhone()
        let model = EnrollmentViewModel(repository: phone.enrollment, deviceName: "iOS test")
        XCTAssertFalse(model.isEnrolled)
        model.serverURL = office.url
        model.code = " \(code.lowercased()) "
        let enrolled = await model.enroll()
        XCTAssertTrue(enrolled, "\(String(describing: model.message))")
        XCTAssertEqual(model.enrollment?.technician, "ios-enroll")
        XCTAssertEqual(model.enrollment?.serverUrl, office.url)
        XCTAssertNil(model.message)
        XCTAssertEqual(phone.enrollment.current?.deviceId, model.enrollment?.deviceId)

        // The code was used: another phone is refused, and told to ask for a new one.
        let other = EnrollmentViewModel(repository: try TestOffice.newPhone().enrollment, deviceName: "second")
        other.serverURL = office.url
        other.code = code
        let again = await other.enroll()
        XCTAssertFalse(again)
        XCTAssertFalse(other.isEnrolled)
        XCTAssertEqual(other.message?.key, "error.unauthorized")
        XCTAssertEqual(other.message?.recovery, .enrollAgain)
    }

    func testAPlainHttpServerSpokenToOverTlsIsATlsFailureNotOffline() async throws {
        let office = try TestOffice.fromEnvironment()
        let model = EnrollmentViewModel(repository: try TestOffice.newPhone().enrollment, deviceName: "iOS test")
        model.serverURL = office.url.replacingOccurrences(of: "http://", with: "https://")
        model.code = "AAAAA-BBBBB"
        let enrolled = await model.enroll()
        XCTAssertFalse(enrolled)
        XCTAssertEqual(model.message?.key, "error.tls")
        XCTAssertEqual(model.message?.recovery, .contactOffice)
    }

    func testAddressAndCodeAreCheckedBeforeCallingTheCore() async throws {
        let model = EnrollmentViewModel(repository: try TestOffice.newPhone().enrollment, deviceName: "iOS test")
        model.serverURL = "office.example"
        model.code = "AAAAA-BBBBB"
        let enrolled = await model.enroll()
        XCTAssertFalse(enrolled)
        XCTAssertEqual(model.message?.key, "enroll.server_invalid")
    }
}
