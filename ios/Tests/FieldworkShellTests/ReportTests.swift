import FieldworkBindings
import FieldworkShell
import XCTest

/// The completion report through the signing view model: a photo, the preview, a refused
/// scribble, a sealed signature, a note after signing (changed since signed), signing again,
/// a refusal, and both reaching the office.
@MainActor
final class ReportTests: XCTestCase {
    func testSignChangeAndSignAgain() async throws {
        let office = try TestOffice.fromEnvironment()
        let technician = "ios-sign"
        try await office.createJob(id: "J-IOS-SIGN", technician: technician)
        let phone = try TestOffice.newPhone()
        _ = try await phone.enrollment.enroll(serverURL: office.url, code: office.code(for: technician), deviceName: "iOS sign", serverCAPEM: nil)
        let sync = SyncStatusViewModel(repository: phone.sync)
        let downloaded = await sync.syncOnce()
        XCTAssertTrue(downloaded)

        let photos = PhotoQueueViewModel(jobs: phone.jobs, photos: phone.photos)
        let notAPhoto = await photos.add(jobId: "J-IOS-SIGN", data: Data("not a photo\n".utf8), caption: "notes.txt")
        XCTAssertNil(notAPhoto)
        XCTAssertEqual(photos.message?.key, "error.bad_image")
        let added = await photos.add(jobId: "J-IOS-SIGN", data: samplePNG(), caption: "condenser fan")
        let photo = try XCTUnwrap(added, "\(String(describing: photos.message))")
        XCTAssertEqual([photo.width, photo.height], [64, 48])
        XCTAssertEqual(photos.waiting.map(\.id), [photo.id])

        let signing = SigningViewModel(jobId: "J-IOS-SIGN", repository: phone.reports, language: .en, canvasWidth: 300, canvasHeight: 100)
        await signing.load()
        let preview = try XCTUnwrap(signing.preview)
        XCTAssertEqual(preview.job, "J-IOS-SIGN")
        XCTAssertEqual(preview.content.photos.map(\.id), [photo.id])
        XCTAssertEqual(signing.versions, [])

        // A single dot is not a signature: nothing is sealed and the pad is cleared.
        signing.signerName = "Li Na"
        signing.signerRole = "Facilities"
        signing.touchBegan(x: 40, y: 40, timestamp: 1, force: 0.5)
        signing.touchEnded()
        let dot = await signing.sign()
        XCTAssertFalse(dot)
        XCTAssertEqual(signing.message?.key, "error.bad_signature")
        XCTAssertTrue(signing.recorder.isEmpty)
        XCTAssertEqual(signing.versions, [])

        drawSignature(on: signing)
        let signed = await signing.sign()
        XCTAssertTrue(signed, "\(String(describing: signing.message))")
        XCTAssertEqual(signing.lastSeal?.version, 1)
        XCTAssertEqual(signing.lastSeal?.status, "signed")
        XCTAssertEqual(signing.versions.map(\.signerName), ["Li Na"])
        XCTAssertFalse(signing.changedSinceSigned)
        let sealed = try await phone.reports.sealedJSON(jobId: "J-IOS-SIGN", version: 1)
        XCTAssertTrue(sealed.contains(#""strokes":[[[10,80,0,500],[60,20,16,600],[110,80,33,400]],[[150,50,200,500],[290,55,240,700]]]"#), sealed)

        let job = JobDetailViewModel(jobId: "J-IOS-SIGN", repository: phone.jobs)
        await job.load()
        XCTAssertEqual(job.status, .completed)
        XCTAssertEqual(job.detail?.report.status, "signed")

        // A note after signing: the report no longer matches the job.
        let noted = await job.addNote("customer asked for a follow-up call")
        XCTAssertTrue(noted)
        XCTAssertEqual(job.detail?.reportChangedSinceSigned, true)
        await signing.load()
        XCTAssertTrue(signing.changedSinceSigned)

        // Signing again adds version 2 and keeps version 1.
        drawSignature(on: signing)
        let again = await signing.sign()
        XCTAssertTrue(again)
        XCTAssertEqual(signing.versions.map(\.version), [1, 2])
        XCTAssertEqual(signing.versions.map(\.current), [false, true])
        XCTAssertFalse(signing.changedSinceSigned)

        let uploaded = await sync.syncOnce()
        XCTAssertTrue(uploaded)
        XCTAssertEqual(sync.lastReport?.attachmentsUploaded, 1)
        await photos.load()
        XCTAssertEqual(photos.waiting, [])
        let (status, list) = try await office.call("GET", "/api/v1/jobs/J-IOS-SIGN/reports")
        XCTAssertEqual(status, 200, list)
        let listed = try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]]
        XCTAssertEqual(listed?.compactMap { $0["sha256"] as? String }, signing.versions.map(\.sha256))
    }

    func testRefusalIsSealed() async throws {
        let office = try TestOffice.fromEnvironment()
        let technician = "ios-refuse"
        try await office.createJob(id: "J-IOS-REFUSE", technician: technician)
        let phone = try TestOffice.newPhone()
        _ = try await phone.enrollment.enroll(serverURL: office.url, code: office.code(for: technician), deviceName: "iOS refuse", serverCAPEM: nil)
        let sync = SyncStatusViewModel(repository: phone.sync)
        let downloaded = await sync.syncOnce()
        XCTAssertTrue(downloaded)

        let signing = SigningViewModel(jobId: "J-IOS-REFUSE", repository: phone.reports, language: .zhCn)
        await signing.load()
        let noReason = await signing.refuse(customerName: "Mr. Zhou")
        XCTAssertFalse(noReason)
        XCTAssertEqual(signing.message?.key, "refuse.reason_required")

        signing.refusalReason = "disputes the labour hours"
        let refused = await signing.refuse(customerName: "Mr. Zhou")
        XCTAssertTrue(refused, "\(String(describing: signing.message))")
        XCTAssertEqual(signing.lastSeal?.status, "refused")
        let version = try XCTUnwrap(signing.versions.first)
        XCTAssertEqual(version.refusalReason, "disputes the labour hours")
        XCTAssertNil(version.signerName, "a refusal has no signer")
        let sealed = try await phone.reports.sealedJSON(jobId: "J-IOS-REFUSE", version: nil)
        XCTAssertTrue(sealed.contains(#""refusal":{"name":"Mr. Zhou","reason":"disputes the labour hours""#), sealed)
        XCTAssertEqual(version.language, "zh-CN")
        XCTAssertTrue(version.current)

        let uploaded = await sync.syncOnce()
        XCTAssertTrue(uploaded)
        let (status, job) = try await office.call("GET", "/api/v1/jobs/J-IOS-REFUSE")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(try JobDetail.decode(job).report.status, "refused")
    }

    /// The PDF the share sheet gets; needs a CJK font on the Mac (FIELDWORK_CJK_FONT).
    func testPdfOfASealedReport() async throws {
        let office = try TestOffice.fromEnvironment()
        guard let font = ProcessInfo.processInfo.environment["FIELDWORK_CJK_FONT"], !font.isEmpty else {
            throw XCTSkip("set FIELDWORK_CJK_FONT to a Noto Sans CJK SC file to render PDFs")
        }
        let technician = "ios-pdf"
        try await office.createJob(id: "J-IOS-PDF", technician: technician)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fieldwork-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let phone = try FieldworkServices.open(dataDirectory: dir, secrets: MemorySecretStore(), fontPath: font)
        _ = try await phone.enrollment.enroll(serverURL: office.url, code: office.code(for: technician), deviceName: "iOS pdf", serverCAPEM: nil)
        let sync = SyncStatusViewModel(repository: phone.sync)
        let downloaded = await sync.syncOnce()
        XCTAssertTrue(downloaded)

        let signing = SigningViewModel(jobId: "J-IOS-PDF", repository: phone.reports, language: .zhCn, canvasWidth: 300, canvasHeight: 100)
        signing.signerName = "李娜"
        drawSignature(on: signing)
        let signed = await signing.sign()
        XCTAssertTrue(signed, "\(String(describing: signing.message))")
        let file = await signing.pdfFile(version: nil)
        let url = try XCTUnwrap(file, "\(String(describing: signing.message))")
        let pdf = try Data(contentsOf: url)
        XCTAssertEqual(String(decoding: pdf.prefix(4), as: UTF8.self), "%PDF")
    }
}
