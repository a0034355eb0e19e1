import FieldworkBindings
import FieldworkShell
import Foundation
import UIKit
import XCTest

/// The real office server the tests enroll against, from the environment that
/// ios/scripts/test-on-mac.sh sets (through xcodebuild's TEST_RUNNER_ prefix):
/// FIELDWORK_SERVER_URL, FIELDWORK_DISPATCH_TOKEN, and FIELDWORK_ENROLL_CODES as
/// `technician=code,...`, one technician and one-time code per test.
struct TestOffice {
    let url: String
    let token: String
    private let codes: [String: String]

    static func fromEnvironment() throws -> TestOffice {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["FIELDWORK_SERVER_URL"], let token = env["FIELDWORK_DISPATCH_TOKEN"],
              let codes = env["FIELDWORK_ENROLL_CODES"]
        else {
            throw XCTSkip("no office server: run ios/scripts/test-on-mac.sh (sets FIELDWORK_SERVER_URL, FIELDWORK_DISPATCH_TOKEN, FIELDWORK_ENROLL_CODES)")
        }
        var byTechnician: [String: String] = [:]
        for pair in codes.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                byTechnician[parts[0]] = parts[1]
            }
        }
        return TestOffice(url: url, token: token, codes: byTechnician)
    }

    func code(for technician: String) throws -> String {
        guard let code = codes[technician] else {
            throw XCTSkip("no enrollment code for technician \(technician) in FIELDWORK_ENROLL_CODES")
        }
        return code
    }

    static let site: [String: Any] = ["address": "88 Quay Road", "region": "city", "time_zone": "Asia/Shanghai"]

    /// Creates a job for `technician` through the dispatch API, reported on Tuesday
    /// 2026-11-24 at 09:00 in Shanghai. `asset`: the serial of a registered asset (its model
    /// and contract then come from the register); otherwise an unregistered chiller, no SLA.
    func createJob(id: String, technician: String, inspection: Bool = false, asset: String? = nil, priority: String = "high") async throws {
        var job: [String: Any] = [
            "id": id,
            "technician": technician,
            "customer": ["name": "Harbour Clinic", "phone": "+86 21 5555 0101"],
            "site": Self.site,
            "asset": asset.map { ["serial": $0] } ?? ["serial": "CH-\(id)", "model": "Chiller"],
            "problem": "Compressor trips",
            "priority": priority,
            "reported_at": "2026-11-24T09:00:00+08:00",
        ]
        if inspection {
            job["kind"] = "inspection"
            job["checklist"] = [
                ["id": "door", "label": "Door seals intact"],
                ["id": "temp", "label": "Cavity temperature", "unit": "C"],
            ]
        }
        let (status, body) = try await call("POST", "/api/v1/jobs", json: job)
        XCTAssertEqual(status, 201, body)
    }

    /// Registers a service contract: the demo's Gold contract (server/src/demo/contract.json)
    /// under `id`: response in 30 working minutes, arrival in 120 in a city, resolution in 480,
    /// Monday to Friday 08:30-17:30 in the site's time zone.
    func createContract(id: String) async throws {
        let contract: [String: Any] = [
            "id": id,
            "name": "Gold service 2026",
            "currency": "CNY",
            "sla": [
                "response_minutes": 30,
                "arrival_minutes": ["city": 120, "province": 720, "remote": 1440],
                "resolution_minutes": 480,
                "loaner_after_minutes": 240,
                "calendar": [
                    "kind": "working_hours",
                    "hours": [
                        "mon": ["08:30", "17:30"], "tue": ["08:30", "17:30"], "wed": ["08:30", "17:30"],
                        "thu": ["08:30", "17:30"], "fri": ["08:30", "17:30"], "sat": NSNull(), "sun": NSNull(),
                    ],
                    "holidays": ["2026-10-01", "2026-10-02", "2026-10-05", "2027-01-01"],
                ],
            ],
            "warranty": ["months": 24, "start": "acceptance", "replace_after_repairs": 3],
            "billing": [
                "in_warranty": ["parts": "free", "labour": "free", "travel": "free"],
                "excluded": ["parts": "cost", "labour": "charged", "travel": "charged"],
                "post_warranty": [["months": 12, "parts": "cost", "labour": "free", "travel": "charged"]],
                "after": ["parts": "list", "labour": "charged", "travel": "charged"],
            ],
            "rates": ["labour_per_hour": 18000, "travel_flat": 25000],
            "followup_hours": 48,
        ]
        let (status, body) = try await call("POST", "/api/v1/contracts", json: contract)
        XCTAssertTrue((200..<300).contains(status), "contract: \(status) \(body)")
    }

    /// Registers an asset under a contract at the tests' site.
    func createAsset(serial: String, model: String, contract: String) async throws {
        let asset: [String: Any] = [
            "serial": serial, "model": model, "customer": "Harbour Clinic",
            "installation_date": "2025-11-01", "acceptance_date": "2025-11-20",
            "contract": contract, "site": Self.site,
        ]
        let (status, body) = try await call("POST", "/api/v1/assets", json: asset)
        XCTAssertTrue((200..<300).contains(status), "asset: \(status) \(body)")
    }

    /// Dispatch adds a note to a job.
    func addNote(jobId: String, text: String) async throws {
        let (status, body) = try await call("POST", "/api/v1/jobs/\(jobId)/notes", json: ["text": text])
        XCTAssertTrue((200..<300).contains(status), "note: \(status) \(body)")
    }

    /// A dispatcher request; returns the status and the body as text.
    func call(_ method: String, _ path: String, json: Any? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// A fresh phone: an empty store in a temporary directory, secrets in memory.
    static func newPhone() throws -> FieldworkServices {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fieldwork-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try FieldworkServices.open(dataDirectory: dir, secrets: MemorySecretStore())
    }
}

/// An instant as the site's clock reads it (`2026-11-24T09:50:00+08:00`).
func instant(_ rfc3339: String) -> Date {
    guard let date = ISO8601DateFormatter().date(from: rfc3339) else {
        fatalError("not an RFC 3339 time: \(rfc3339)")
    }
    return date
}

/// The app's Localizable.strings, read from the repository (the simulator reads the Mac's
/// files through `#filePath`): what a message says in English or Chinese.
enum AppStrings {
    static func table(_ localization: String) throws -> [String: String] {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // FieldworkShellTests
            .deletingLastPathComponent() // Tests
            .deletingLastPathComponent() // ios
            .appendingPathComponent("App/Fieldwork/Resources/\(localization).lproj/Localizable.strings")
        let data = try Data(contentsOf: url)
        guard let entries = try PropertyListSerialization.propertyList(from: data, format: nil) as? [String: String] else {
            throw CocoaError(.propertyListReadCorrupt)
        }
        return entries
    }

    /// A lookup in that table; a missing key comes back marked, so a test sees it.
    static func localize(_ localization: String) throws -> (String) -> String {
        let entries = try table(localization)
        return { key in entries[key] ?? "<missing \(key)>" }
    }
}

/// SecretStore for tests: what the Keychain store does, in memory.
final class MemorySecretStore: SecretStore, @unchecked Sendable {
    private var values: [String: String] = [:]
    private let lock = NSLock()

    func get(key: String) throws -> String? {
        lock.lock()
        defer { lock.unlock() }
        return values[key]
    }

    func set(key: String, value: String) throws {
        lock.lock()
        defer { lock.unlock() }
        values[key] = value
    }

    func delete(key: String) throws {
        lock.lock()
        defer { lock.unlock() }
        values[key] = nil
    }
}

/// A real PNG (a gradient) as the photo picker would hand over.
func samplePNG(width: Int = 64, height: Int = 48) -> Data {
    let format = UIGraphicsImageRendererFormat()
    format.scale = 1
    let renderer = UIGraphicsImageRenderer(size: CGSize(width: width, height: height), format: format)
    return renderer.pngData { context in
        for x in 0..<width {
            UIColor(red: CGFloat(x) / CGFloat(width), green: 0.4, blue: 0.6, alpha: 1).setFill()
            context.fill(CGRect(x: x, y: 0, width: 1, height: height))
        }
    }
}

/// Draws a two-stroke signature on the signing screen as touch events would.
@MainActor
func drawSignature(on model: SigningViewModel) {
    let start: TimeInterval = 1000
    model.touchBegan(x: 10, y: 80, timestamp: start, force: 0.5)
    model.touchMoved(x: 60, y: 20, timestamp: start + 0.016, force: 0.6)
    model.touchMoved(x: 110, y: 80, timestamp: start + 0.033, force: 0.4)
    model.touchEnded()
    model.touchBegan(x: 150, y: 50, timestamp: start + 0.2, force: nil)
    model.touchMoved(x: 290, y: 55, timestamp: start + 0.24, force: 0.7)
    model.touchEnded()
}
