import FieldworkBindings
import FieldworkShell
import XCTest

/// The completion report through the signing view model and its customer steps: a photo, the
/// review (the core's outline of the report, in the words its PDF prints, built from the job
/// each time it opens (a part added shows at once), in the language chosen there),
/// the pad (a refused scribble, a sealed signature), the confirmation and hand back, a note
/// after signing (changed since signed), signing again, a refusal behind its own sheet, and
/// both reaching the office.
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
        XCTAssertEqual(photos.message?.key, "image.not_an_image")
        XCTAssertEqual(photos.message?.recovery, .chooseAnotherPhoto)
        let added = await photos.add(jobId: "J-IOS-SIGN", data: samplePNG(), caption: "condenser fan")
        let photo = try XCTUnwrap(added, "\(String(describing: photos.message))")
        XCTAssertEqual([photo.width, photo.height], [64, 48])
        XCTAssertEqual(photos.waiting.map(\.id), [photo.id])
        // Its thumbnail comes from the core (the phone's store is encrypted: no file in the clear).
        let item = try XCTUnwrap(photos.waiting.first)
        XCTAssertEqual(item.caption, "condenser fan")
        XCTAssertTrue(item.photo.onDevice)
        XCTAssertNil(item.photo.thumbnailPath)
        let thumbnail = await photos.thumbnail(for: item)
        XCTAssertEqual(thumbnail.map { Array($0.prefix(3)) }, [0xFF, 0xD8, 0xFF], "a JPEG")

        let signing = SigningViewModel(jobId: "J-IOS-SIGN", repository: phone.reports, language: .en, canvasWidth: 300, canvasHeight: 100)
        await signing.load()
        XCTAssertNil(signing.step, "the technician's page until the phone is handed over")
        XCTAssertEqual(signing.versions, [])

        // The phone goes to the customer: the review is the report built from the job now, in
        // the words its PDF prints.
        await signing.startSigning()
        XCTAssertEqual(signing.step, .review)
        let first = try XCTUnwrap(signing.preview, "\(String(describing: signing.message))")
        XCTAssertEqual(first.title, "Completion report")
        XCTAssertTrue(first.job.contains("J-IOS-SIGN"), first.job)
        XCTAssertTrue(first.allWords.contains("Compressor trips"))
        XCTAssertTrue(first.overview.contains { $0.value.contains("88 Quay Road") })
        XCTAssertTrue(first.overview.contains { $0.value.contains("CH-J-IOS-SIGN") })
        XCTAssertEqual(first.photos.map(\.id), [photo.id])
        XCTAssertTrue(first.photos.first?.words.contains("condenser fan") == true)
        XCTAssertFalse(first.hasRow(withCell: "RELAY-7"), "no parts yet")
        let attestation = try XCTUnwrap(signing.attestation, "the sentence the customer confirms, from the outline")
        XCTAssertEqual(attestation, first.outcome.attestation)
        let thumbnailInReview = await signing.thumbnail(attachmentId: photo.id)
        XCTAssertNotNil(thumbnailInReview)

        // The technician takes the phone back and fits a part: the next review has it at once.
        signing.cancelSigning()
        let job = JobDetailViewModel(jobId: "J-IOS-SIGN", repository: phone.jobs, photos: phone.photos)
        await job.load()
        var part = PartForm()
        part.sku = "RELAY-7"
        part.description = "fan relay"
        part.qty = 2
        let fitted = await job.addPart(part)
        XCTAssertTrue(fitted, "\(String(describing: job.message))")
        await signing.startSigning()
        let withPart = try XCTUnwrap(signing.preview, "\(String(describing: signing.message))")
        XCTAssertNotEqual(withPart, first, "the preview changed with the part")
        let partRow = try XCTUnwrap(withPart.sections.flatMap(\.rows).first { $0.cells.contains("RELAY-7") })
        XCTAssertTrue(partRow.cells.contains("fan relay") && partRow.cells.contains("2"), "\(partRow.cells)")

        // The customer reads it in Chinese: built again in that language (with the part and its
        // own attestation); then back to English.
        await signing.chooseLanguage(.zhCn)
        let chinese = try XCTUnwrap(signing.preview)
        XCTAssertNotEqual(chinese.title, withPart.title)
        XCTAssertTrue(chinese.hasRow(withCell: "RELAY-7"))
        XCTAssertNotEqual(signing.attestation, attestation)
        await signing.chooseLanguage(.en)
        XCTAssertEqual(signing.preview?.title, "Completion report")
        XCTAssertEqual(signing.attestation, attestation)

        // Nobody named to sign: the pad does not open.
        XCTAssertFalse(signing.canContinueToPad)
        signing.continueToPad()
        XCTAssertEqual(signing.step, .review)
        XCTAssertEqual(signing.message?.key, "sign.name_required")
        signing.signerName = "Li Na"
        signing.signerRole = "Facilities"
        XCTAssertTrue(signing.canContinueToPad)
        signing.continueToPad()
        XCTAssertEqual(signing.step, .pad)
        XCTAssertNil(signing.message)

        // A single dot is not a signature: nothing is sealed, the pad is cleared and stays up.
        signing.touchBegan(x: 40, y: 40, timestamp: 1, force: 0.5)
        signing.touchEnded()
        let dot = await signing.sign()
        XCTAssertFalse(dot)
        XCTAssertEqual(signing.message?.key, "error.bad_signature")
        XCTAssertTrue(signing.recorder.isEmpty)
        XCTAssertEqual(signing.step, .pad)
        XCTAssertEqual(signing.versions, [])

        // Back to the review (built again) and on to the pad: it starts empty.
        drawSignature(on: signing)
        await signing.backToReview()
        XCTAssertEqual(signing.step, .review)
        XCTAssertTrue(signing.recorder.isEmpty)
        XCTAssertNotNil(signing.preview)
        signing.continueToPad()
        XCTAssertEqual(signing.step, .pad)

        drawSignature(on: signing)
        let reviewed = try XCTUnwrap(signing.preview)
        let signed = await signing.sign()
        XCTAssertTrue(signed, "\(String(describing: signing.message))")
        XCTAssertEqual(signing.step, .confirmation)
        XCTAssertEqual(signing.lastSeal?.version, 1)
        XCTAssertEqual(signing.lastSeal?.status, "signed")
        signing.handBack()
        XCTAssertEqual(signing.step, .handBack)
        signing.finish()
        XCTAssertNil(signing.step, "back to the technician")
        XCTAssertEqual(signing.signerName, "", "nothing of this customer's is left for the next signing")
        XCTAssertEqual(signing.versions.map(\.signerName), ["Li Na"])
        XCTAssertFalse(signing.changedSinceSigned)
        let sealed = try await phone.reports.sealedJSON(jobId: "J-IOS-SIGN", version: 1)
        XCTAssertTrue(sealed.contains(#""strokes":[[[10,80,0,500],[60,20,16,600],[110,80,33,400]],[[150,50,200,500],[290,55,240,700]]]"#), sealed)
        // What was sealed says what the review said, now signed by Li Na.
        let sealedOutline = await signing.sealedOutline(version: 1)
        let sealedWords = try XCTUnwrap(sealedOutline, "\(String(describing: signing.message))")
        XCTAssertEqual(sealedWords.sections.map(\.title), reviewed.sections.map(\.title))
        XCTAssertEqual(
            sealedWords.sections.flatMap(\.rows).first { $0.cells.contains("RELAY-7") },
            reviewed.sections.flatMap(\.rows).first { $0.cells.contains("RELAY-7") }
        )
        guard case .signed(_, let fields, let sealedAttestation) = sealedWords.outcome else {
            return XCTFail("not signed: \(sealedWords.outcome)")
        }
        XCTAssertEqual(fields.first?.value, "Li Na")
        XCTAssertEqual(sealedAttestation, attestation)

        await job.load()
        XCTAssertEqual(job.status, .completed)
        XCTAssertEqual(job.detail?.report.state, .signed)
        XCTAssertEqual(job.detail?.report.version, 1)
        XCTAssertEqual(job.statusActions, [], "a completed job offers no status")

        // A note after signing: the report no longer matches the job.
        let noted = await job.addNote("customer asked for a follow-up call")
        XCTAssertTrue(noted)
        XCTAssertTrue(job.reportChangedSinceSigned)
        XCTAssertEqual(job.detail?.report.state, .changedSinceSigned)
        await signing.load()
        XCTAssertTrue(signing.changedSinceSigned)

        // Signing again: the review is built from the job as it is now (the note is in it),
        // and the new signature adds version 2 and keeps version 1.
        await signing.startSigning()
        XCTAssertEqual(signing.preview?.hasRow(withCell: "customer asked for a follow-up call"), true)
        signing.signerName = "Li Na"
        signing.continueToPad()
        drawSignature(on: signing)
        let again = await signing.sign()
        XCTAssertTrue(again)
        XCTAssertEqual(signing.step, .confirmation)
        XCTAssertEqual(signing.lastSeal?.version, 2)
        signing.handBack()
        signing.finish()
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
        await signing.startSigning()
        XCTAssertEqual(signing.step, .review)
        let preview = try XCTUnwrap(signing.preview, "\(String(describing: signing.message))")
        XCTAssertNotEqual(preview.title, "Completion report", "in Chinese")
        XCTAssertNotNil(signing.attestation)

        // Refusing is its own sheet; closing it seals nothing.
        signing.beginRefusal()
        XCTAssertTrue(signing.isRefusing)
        signing.cancelRefusal()
        XCTAssertFalse(signing.isRefusing)
        XCTAssertEqual(signing.step, .review)
        XCTAssertEqual(signing.versions, [])

        signing.beginRefusal()
        signing.refusalName = "Mr. Zhou"
        let noReason = await signing.refuse()
        XCTAssertFalse(noReason)
        XCTAssertEqual(signing.message?.key, "refuse.reason_required")
        XCTAssertTrue(signing.isRefusing)

        signing.refusalReason = "disputes the labour hours"
        let refused = await signing.refuse()
        XCTAssertTrue(refused, "\(String(describing: signing.message))")
        XCTAssertFalse(signing.isRefusing)
        XCTAssertEqual(signing.step, .confirmation)
        XCTAssertEqual(signing.lastSeal?.status, "refused")
        signing.handBack()
        XCTAssertEqual(signing.step, .handBack)
        signing.finish()
        XCTAssertNil(signing.step)
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
        XCTAssertEqual((try jsonObject(job)["report"] as? [String: Any])?["status"] as? String, "refused")
        let sealedOutline = await signing.sealedOutline(version: nil)
        guard case .refused(_, let fields) = try XCTUnwrap(sealedOutline).outcome else {
            return XCTFail("the sealed outline is not a refusal")
        }
        XCTAssertTrue(fields.contains { $0.value == "disputes the labour hours" }, "\(fields)")
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
