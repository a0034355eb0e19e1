import FieldworkShell
import XCTest

/// The enrollment QR code's payload against the vectors both phones share
/// (`tests/enrollment-codes.json`, which Android's EnrollmentCode holds too), and the enrollment
/// form filled from a scan. No office needed.
@MainActor
final class EnrollmentCodeTests: XCTestCase {
    struct Vectors: Decodable {
        struct Accepted: Decodable {
            let name: String
            let payload: String
            let office: String
            let code: String
        }

        struct Refused: Decodable {
            let name: String
            let payload: String
        }

        let format: Int
        let accepted: [Accepted]
        let refused: [Refused]
    }

    /// The repository's tests/enrollment-codes.json, found from this file's path.
    static func vectors() throws -> Vectors {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // FieldworkShellTests
            .deletingLastPathComponent() // Tests
            .deletingLastPathComponent() // ios
            .deletingLastPathComponent() // the repository
            .appendingPathComponent("tests/enrollment-codes.json")
        let vectors = try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
        XCTAssertEqual(vectors.format, 1)
        return vectors
    }

    func testEveryAcceptedPayloadGivesItsOfficeAndCode() throws {
        let vectors = try Self.vectors()
        XCTAssertGreaterThanOrEqual(vectors.accepted.count, 10)
        for vector in vectors.accepted {
            XCTAssertEqual(
                EnrollmentCode.parse(vector.payload),
                EnrollmentCode(office: vector.office, code: vector.code),
                "\(vector.name): \(vector.payload.debugDescription)"
            )
        }
    }

    func testEveryRefusedPayloadIsRefused() throws {
        let vectors = try Self.vectors()
        XCTAssertGreaterThanOrEqual(vectors.refused.count, 10)
        for vector in vectors.refused {
            XCTAssertNil(EnrollmentCode.parse(vector.payload), "\(vector.name): \(vector.payload.debugDescription)")
        }
    }

    func testAScanFillsTheEnrollmentForm() throws {
        let vectors = try Self.vectors()
        let model = EnrollmentViewModel(repository: try TestOffice.newPhone().enrollment, deviceName: "iOS test")
        let console = try XCTUnwrap(vectors.accepted.first)
        XCTAssertTrue(model.applyScanned(console.payload))
        XCTAssertEqual(model.serverURL, console.office)
        XCTAssertEqual(model.code, console.code)
        XCTAssertNil(model.message)
        XCTAssertTrue(model.canSubmit)

        // Another code leaves the form as it was, and says why.
        let refused = try XCTUnwrap(vectors.refused.first { $0.payload.hasPrefix("otherapp:") })
        XCTAssertFalse(model.applyScanned(refused.payload))
        XCTAssertEqual(model.serverURL, console.office)
        XCTAssertEqual(model.code, console.code)
        XCTAssertEqual(model.message?.key, "enroll.scan_not_enrollment")

        // The next good scan clears the message.
        XCTAssertTrue(model.applyScanned(vectors.accepted[1].payload))
        XCTAssertEqual(model.serverURL, vectors.accepted[1].office)
        XCTAssertNil(model.message)
    }

    func testEnrollmentScansQrCodesAndPartsScanTheFiveSymbologies() {
        XCTAssertEqual(ScanPurpose.enrollment.kinds, [.qr])
        for field in PartScanField.allCases {
            XCTAssertEqual(Set(ScanPurpose.part(field).kinds), [.qr, .code128, .code39, .ean13, .dataMatrix])
        }
    }

    func testAScannedPartNumberOrSerialFillsItsFieldTrimmed() {
        var form = PartForm()
        XCTAssertTrue(form.fill(.sku, scanned: "  PUMP-200\n"))
        XCTAssertTrue(form.fill(.serialIn, scanned: "SN-NEW-1"))
        // GS1 Data Matrix codes carry group separators (0x1D) between their fields: kept inside, trimmed at the ends.
        XCTAssertTrue(form.fill(.serialOut, scanned: "\u{1D}0103453120000011\u{1D}21ABCD1234\r\n"))
        XCTAssertEqual(form.sku, "PUMP-200")
        XCTAssertEqual(form.serialIn, "SN-NEW-1")
        XCTAssertEqual(form.serialOut, "0103453120000011\u{1D}21ABCD1234")
        // Nothing readable: the field keeps what it had.
        XCTAssertFalse(form.fill(.sku, scanned: " \n"))
        XCTAssertEqual(form.sku, "PUMP-200")
    }
}
