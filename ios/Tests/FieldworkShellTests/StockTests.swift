import FieldworkBindings
@testable import FieldworkShell
import XCTest

/// The van stock screen's view model against a scripted core (no office, no device): no van
/// yet as its own state, the levels and sheets prefilled from the core's record, each movement
/// passed to the core as the technician counted it and the stock read again after it, a part
/// tracked by serial sent back only with its serials (and the job it came off), when a transfer
/// was sent on the phone's clock, a change the core reports read again, a refusal said in
/// words, the part form's van picker and what a code scanned into it is; and every word the
/// screen shows in both languages.
@MainActor
final class StockTests: XCTestCase {
    static let level = StockLevelRecord(
        sku: "FLT-200", nameZh: "滤芯", nameEn: "Filter cartridge", unit: "pcs",
        qty: 4, inTransit: 2, flags: [], jobs: []
    )
    static let overdrawn = StockLevelRecord(
        sku: "PMP-7", nameZh: "水泵", nameEn: "Pump", unit: "pcs",
        qty: -1, inTransit: 0, flags: [.belowZero], jobs: ["J-1001"]
    )
    static let retired = StockLevelRecord(
        sku: "OLD-1", nameZh: "", nameEn: "", unit: "",
        qty: 3, inTransit: 0, flags: [], jobs: []
    )
    static let transfer = TransferRecord(
        id: "mv-transfer-1", from: "WH-SH", sentAtMs: 1_795_000_000_000,
        lines: [StockLineRecord(sku: "FLT-200", qty: 2, serials: []), StockLineRecord(sku: "VLV-9", qty: 1, serials: ["V-1"])]
    )
    static let stock = VanStockRecord(
        location: "VAN-07", levels: [level, overdrawn, retired], inTransit: [transfer],
        pending: 2, refused: [StockRefusalRecord(id: "mv-9", error: "count of an unknown part")]
    )

    func testNoVanYetIsItsOwnStateAndOtherFailuresAreSaid() async {
        let service = ScriptedStock()
        service.setStock(.failure(ApiError.InvalidInput(detail: "no van: the office has not put this technician in a van yet", reason: .noVan)))
        let model = StockViewModel(repository: service)
        XCTAssertEqual(model.state, .loading)
        await model.load()
        XCTAssertEqual(model.state, .noVan)
        XCTAssertNil(model.stock)
        XCTAssertTrue(model.levels.isEmpty)

        // Another refusal is said, not taken for "no van".
        service.setStock(.failure(ApiError.InvalidInput(detail: "damaged", reason: .other)))
        await model.load()
        XCTAssertNotEqual(model.state, .noVan)

        service.setStock(.failure(ApiError.Storage(detail: "disk full")))
        await model.load()
        XCTAssertEqual(model.state, .error(UserMessage(key: "error.storage", detail: "disk full", recovery: .reportProblem)))

        // The office put the technician in a van: the next read shows it.
        service.setStock(.success(Self.stock))
        await model.refresh()
        XCTAssertEqual(model.state, .loaded(Self.stock))
        XCTAssertEqual(model.pending, 2)
        XCTAssertEqual(model.transfers, [Self.transfer])
        XCTAssertEqual(model.refusals, [UserMessage(key: "stock.refused", detail: "count of an unknown part", recovery: .none)])
    }

    func testNamesAndCountSheetsArePrefilledFromTheCoresRecord() async {
        let service = ScriptedStock()
        service.setStock(.success(Self.stock))
        let model = StockViewModel(repository: service)
        await model.load()

        XCTAssertEqual(Self.level.name(chinese: true), "滤芯")
        XCTAssertEqual(Self.level.name(chinese: false), "Filter cartridge")
        XCTAssertEqual(Self.retired.name(chinese: true), "OLD-1", "a part that left the catalogue is its SKU")
        XCTAssertEqual(PartName.of(sku: "X", nameZh: "", nameEn: "Valve", chinese: true), "Valve")

        // "Count in": a line per part sent, prefilled with what was sent.
        let arrived = model.countLines(for: Self.transfer, chinese: false)
        XCTAssertEqual(arrived.map(\.sku), ["FLT-200", "VLV-9"])
        XCTAssertEqual(arrived.map(\.qty), [2, 1])
        XCTAssertEqual(arrived.map(\.expected), [2, 1])
        XCTAssertEqual(arrived.map(\.name), ["Filter cartridge", "VLV-9"])

        // "Count the van": a line per level shown; below zero counts from none.
        let counted = model.countLines(chinese: true)
        XCTAssertEqual(counted.map(\.sku), ["FLT-200", "PMP-7", "OLD-1"])
        XCTAssertEqual(counted.map(\.qty), [4, 0, 3])
        XCTAssertEqual(counted.map(\.expected), [4, -1, 3])
        XCTAssertEqual(counted.first?.name, "滤芯")
    }

    func testEachMovementGoesToTheCoreThenTheStockIsReadAgain() async {
        let service = ScriptedStock()
        service.setStock(.success(Self.stock))
        let model = StockViewModel(repository: service)
        await model.load()
        XCTAssertEqual(service.reads, 1)

        var lines = model.countLines(for: Self.transfer, chinese: false)
        lines[1].qty = 0
        let received = await model.receive(transferId: Self.transfer.id, lines: lines)
        XCTAssertTrue(received)
        XCTAssertEqual(service.recorded, [.receive(
            "mv-transfer-1",
            [CountedRecord(sku: "FLT-200", qty: 2, serials: []), CountedRecord(sku: "VLV-9", qty: 0, serials: [])]
        )])
        XCTAssertEqual(service.reads, 2, "read again after the movement")

        var count = model.countLines(chinese: false)
        count[0].qty = 3
        let countedVan = await model.count(count)
        XCTAssertTrue(countedVan)
        XCTAssertEqual(service.recorded.last, .count([
            CountedRecord(sku: "FLT-200", qty: 3, serials: []),
            CountedRecord(sku: "PMP-7", qty: 0, serials: []),
            CountedRecord(sku: "OLD-1", qty: 3, serials: []),
        ]))

        var form = ReturnForm(sku: "FLT-200")
        form.qty = 3
        form.reason = .defective
        form.serials = " S-1, S-2\nS-3 "
        form.jobId = "  "
        let sent = await model.returnPart(form)
        XCTAssertTrue(sent)
        XCTAssertEqual(service.recorded.last, .sendBack("FLT-200", 3, ["S-1", "S-2", "S-3"], nil, .defective))
        XCTAssertEqual(service.reads, 4)
        XCTAssertNil(model.message)

        // A movement the core refuses is said from its reason; the stock shown stays.
        service.refuseNext(ApiError.InvalidInput(detail: "qty", reason: .outOfRange(field: "qty", min: 1, max: 10_000, got: 0)))
        var removed = ReturnForm(sku: "PMP-7")
        removed.reason = .removed
        removed.jobId = "J-1001"
        let refused = await model.returnPart(removed)
        XCTAssertFalse(refused)
        XCTAssertEqual(model.message?.key, "refused.out_of_range")
        XCTAssertEqual(model.state, .loaded(Self.stock))
        XCTAssertFalse(model.isWorking)
        model.dismissMessage()
        XCTAssertNil(model.message)
    }

    func testAPartTrackedBySerialGoesBackOnlyWithItsSerialsAndTheJobItCameOff() async {
        let service = ScriptedStock()
        service.setStock(.success(Self.stock))
        service.setCatalogue([
            PartRecord(sku: "FLT-200", nameZh: "滤芯", nameEn: "Filter cartridge", unit: "pcs", unitPrice: 4500, serialised: true),
            PartRecord(sku: "OLD-1", nameZh: "", nameEn: "", unit: "", unitPrice: 0, serialised: false),
        ])
        let model = StockViewModel(repository: service)
        await model.load()
        XCTAssertTrue(model.isSerialised("FLT-200"), "the catalogue's word")
        XCTAssertFalse(model.isSerialised("OLD-1"))
        XCTAssertFalse(model.isSerialised("PMP-7"), "a part the catalogue lacks is not asked for serials")

        // No serial: said, nothing written, the stock not read again.
        var form = ReturnForm(sku: "FLT-200")
        form.reason = .defective
        form.jobId = " J-1001 "
        let missing = await model.returnPart(form)
        XCTAssertFalse(missing)
        XCTAssertEqual(model.message, UserMessage(key: "stock.serial_missing", recovery: .correctInput))
        XCTAssertTrue(service.recorded.isEmpty)
        XCTAssertEqual(service.reads, 1)

        // Not one serial per part, or one serial twice: said, nothing written.
        form.qty = 2
        form.serials = "S-7"
        let short = await model.returnPart(form)
        XCTAssertFalse(short)
        XCTAssertEqual(model.message, UserMessage(key: "stock.serials_count", arguments: [.number(2), .number(1)], recovery: .correctInput))
        form.serials = "S-7，S-7"
        let twice = await model.returnPart(form)
        XCTAssertFalse(twice)
        XCTAssertEqual(model.message, UserMessage(key: "stock.serial_twice", arguments: [.text("S-7")], recovery: .correctInput))
        XCTAssertTrue(service.recorded.isEmpty)

        // With them, it goes to the core with the job it came off, and the stock is read again.
        form.serials = "S-7；S-8"
        let sent = await model.returnPart(form)
        XCTAssertTrue(sent)
        XCTAssertNil(model.message)
        XCTAssertEqual(service.recorded, [.sendBack("FLT-200", 2, ["S-7", "S-8"], "J-1001", .defective)])
        XCTAssertEqual(service.reads, 2)

        // A part not tracked by serial goes without one, or with no more than one per part.
        let plain = await model.returnPart(ReturnForm(sku: "OLD-1"))
        XCTAssertTrue(plain)
        XCTAssertEqual(service.recorded.last, .sendBack("OLD-1", 1, [], nil, .unused))
        var extra = ReturnForm(sku: "OLD-1")
        extra.serials = "A-1 A-2"
        let tooMany = await model.returnPart(extra)
        XCTAssertFalse(tooMany)
        XCTAssertEqual(model.message?.key, "stock.serials_count")
        XCTAssertEqual(service.recorded.count, 2)
    }

    func testATransferSaysWhenItWasSentOnThePhonesClock() async throws {
        let service = ScriptedStock()
        service.setStock(.success(Self.stock))
        let model = StockViewModel(repository: service)
        await model.load()
        // 1_795_000_000_000 ms is 18 Nov 2026 11:06:40 UTC: 19:06 in Shanghai, 11:06 in London.
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        let english = model.sentAt(Self.transfer, zone: shanghai, locale: Locale(identifier: "en_GB"))
        XCTAssertTrue(english.contains("19:06"), english)
        XCTAssertTrue(english.contains("Nov"), english)
        XCTAssertTrue(english.contains("2026"), english)
        let chinese = model.sentAt(Self.transfer, zone: shanghai, locale: Locale(identifier: "zh_CN"))
        XCTAssertTrue(chinese.hasSuffix("19:06"), chinese)
        XCTAssertTrue(chinese.contains("11月18日"), chinese)
        let london = model.sentAt(Self.transfer, zone: TimeZone(identifier: "Europe/London")!, locale: Locale(identifier: "en_GB"))
        XCTAssertTrue(london.contains("11:06"), london)
        // The screen's line in both languages: the words around the time.
        for localization in ["en", "zh-Hans"] {
            let localize = try AppStrings.localize(localization)
            let line = String(format: localize("stock.transfer_sent %@"), english)
            XCTAssertTrue(line.contains(english), "\(localization): \(line)")
            XCTAssertFalse(line.contains("<missing"), "\(localization): \(line)")
        }
    }

    func testACodeScannedIntoTheVanPickerIsAPartOfTheVanOrTheSerialFitted() {
        let parts = VanPart.list(from: Self.stock, catalogue: [], chinese: false)
        let filter = parts[0]
        XCTAssertEqual(filter.sku, "FLT-200")
        XCTAssertEqual(VanScan.of("FLT-200", among: parts), .part(filter))
        XCTAssertEqual(VanScan.of(" flt-200\r\n", among: parts), .part(filter), "the label's case and the scanner's line end")
        XCTAssertEqual(VanScan.of("\u{1D}FLT-200", among: parts), .part(filter), "a GS1 group separator around it")
        XCTAssertEqual(VanScan.of("SN-4471\n", among: parts), .serial("SN-4471"))
        XCTAssertEqual(VanScan.of("FLT-2000", among: parts), .serial("FLT-2000"), "a part number is matched whole")
        XCTAssertEqual(VanScan.of("PMP-7", among: parts), .serial("PMP-7"), "a part the van does not hold (below zero) is not offered")
        XCTAssertEqual(VanScan.of(" \n", among: parts), .nothing)

        // The form: a part is picked as from the list, a serial is the serial fitted.
        var form = PartForm()
        XCTAssertTrue(form.apply(.serial("SN-4471")))
        XCTAssertEqual(form.serialIn, "SN-4471")
        XCTAssertEqual(form.sku, "")
        XCTAssertTrue(form.apply(.part(filter)))
        XCTAssertEqual(form.sku, "FLT-200")
        XCTAssertEqual(form.description, "Filter cartridge")
        XCTAssertEqual(form.stock, "van")
        XCTAssertEqual(form.serialIn, "SN-4471", "the serial scanned first stays")
        XCTAssertFalse(form.apply(.nothing))
        XCTAssertEqual(form.sku, "FLT-200")
    }

    func testAChangeTheCoreReportsIsReadAgain() async throws {
        let service = ScriptedStock()
        service.setStock(.success(Self.stock))
        let model = StockViewModel(repository: service)
        await model.load()
        let observing = Task { await model.observeChanges() }
        defer { observing.cancel() }

        var used = Self.stock
        used.levels[0].qty = 3
        service.setStock(.success(used))
        // A part used on a job: the core takes it out of the van in the same commit.
        service.change(JobsChange(jobIds: ["J-1001"], cause: .localEdit))
        let deadline = Date().addingTimeInterval(5)
        while model.stock?.levels.first?.qty != 3 {
            guard Date() < deadline else { return XCTFail("the change was not read again") }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        XCTAssertEqual(model.state, .loaded(used))
    }

    func testThePartFormPicksFromWhatTheVanHolds() {
        let catalogue = [
            PartRecord(sku: "FLT-200", nameZh: "滤芯", nameEn: "Filter cartridge", unit: "pcs", unitPrice: 4500, serialised: true),
        ]
        let parts = VanPart.list(from: Self.stock, catalogue: catalogue, chinese: true)
        // Only what the van holds: a level below zero is not offered.
        XCTAssertEqual(parts.map(\.sku), ["FLT-200", "OLD-1"])
        XCTAssertEqual(parts.map(\.onHand), [4, 3])
        XCTAssertEqual(parts.map(\.serialised), [true, false])
        XCTAssertEqual(parts.first?.name, "滤芯")

        var form = PartForm()
        form.qty = 2
        form.serialIn = "S-9"
        form.pick(parts[0])
        XCTAssertEqual(form.sku, "FLT-200")
        XCTAssertEqual(form.description, "滤芯")
        XCTAssertEqual(form.stock, "van")
        XCTAssertEqual(form.qty, 2, "quantity and serials stay as typed")
        XCTAssertEqual(form.serialIn, "S-9")
        // Typing or scanning still works after a pick.
        XCTAssertTrue(form.fill(.sku, scanned: " OTHER-1\n"))
        XCTAssertEqual(form.sku, "OTHER-1")
    }

    func testTheStockWordsInBothLanguages() throws {
        let refusal = ErrorMessages.stockRefusal(StockRefusalRecord(id: "mv-9", error: "ENGLISH-DETAIL"))
        let keys = [StockFlag.belowZero, .serialUsedTwice].map(\.labelKey)
            + ReturnReasonRecord.pickerOrder.map(\.labelKey)
            + ["today.van_stock", "stock.title", "stock.no_van", "stock.no_van_hint", "stock.count_in", "stock.count_van", "stock.send_back"]
            + ["stock.serials", "stock.serials_required", "stock.serials_hint", "stock.serials_hint_required", "stock.job", "scan.van_part"]
        for localization in ["en", "zh-Hans"] {
            let localize = try AppStrings.localize(localization)
            let said = refusal.text(localize)
            XCTAssertFalse(said.contains("<missing"), "\(localization): \(said)")
            XCTAssertFalse(said.contains("ENGLISH-DETAIL"), "the office's words only behind Details")
            for key in keys {
                XCTAssertFalse(localize(key).contains("<missing"), "\(localization): \(key)")
            }
            let onHand = String(format: localize("stock.on_hand %lld %@"), Int64(-1), "pcs")
            XCTAssertTrue(onHand.contains("-1 pcs"), "\(localization): \(onHand)")
            let sent = String(format: localize("stock.sent"), Int64(2), "pcs")
            XCTAssertTrue(sent.contains("2 pcs"), "\(localization): \(sent)")
            // The send-back form's refusals, with their numbers and serial in place.
            let missing = UserMessage(key: "stock.serial_missing", recovery: .correctInput).text(localize)
            XCTAssertFalse(missing.contains("<missing"), "\(localization): \(missing)")
            let count = UserMessage(key: "stock.serials_count", arguments: [.number(3), .number(2)], recovery: .correctInput).text(localize)
            XCTAssertTrue(count.contains("3") && count.contains("2"), "\(localization): \(count)")
            let twice = UserMessage(key: "stock.serial_twice", arguments: [.text("S-7")], recovery: .correctInput).text(localize)
            XCTAssertTrue(twice.contains("S-7"), "\(localization): \(twice)")
        }
        let zh = try AppStrings.localize("zh-Hans")
        XCTAssertEqual(zh("today.van_stock"), "车辆库存")
        XCTAssertEqual(try AppStrings.localize("en")("today.van_stock"), "Van stock")
    }
}

/// StockService for tests: the stock it is told to return, each movement recorded as asked,
/// a refusal on demand, and a change stream the test feeds.
final class ScriptedStock: StockService, @unchecked Sendable {
    enum Movement: Equatable {
        case receive(String, [CountedRecord])
        case count([CountedRecord])
        case sendBack(String, Int64, [String], String?, ReturnReasonRecord)
    }

    private let lock = NSLock()
    private var result: Result<VanStockRecord, Error> = .failure(ApiError.Internal(detail: "no stock scripted"))
    private var refusal: Error?
    private var catalogue: [PartRecord] = []
    private var movements: [Movement] = []
    private var readCount = 0
    private let stream: AsyncStream<JobsChange>
    private let continuation: AsyncStream<JobsChange>.Continuation

    init() {
        let made = AsyncStream.makeStream(of: JobsChange.self)
        stream = made.stream
        continuation = made.continuation
    }

    var recorded: [Movement] { lock.withLock { movements } }
    var reads: Int { lock.withLock { readCount } }

    func setStock(_ result: Result<VanStockRecord, Error>) {
        lock.withLock { self.result = result }
    }

    func setCatalogue(_ parts: [PartRecord]) {
        lock.withLock { catalogue = parts }
    }

    func refuseNext(_ error: Error) {
        lock.withLock { refusal = error }
    }

    func change(_ change: JobsChange) {
        continuation.yield(change)
    }

    func vanStock() async throws -> VanStockRecord {
        try lock.withLock {
            readCount += 1
            return result
        }.get()
    }

    private func record(_ movement: Movement) throws -> String {
        try lock.withLock {
            if let refusal {
                self.refusal = nil
                throw refusal
            }
            movements.append(movement)
            return "mv-\(movements.count)"
        }
    }

    func receiveTransfer(transferId: String, counted: [CountedRecord]) async throws -> String {
        try record(.receive(transferId, counted))
    }

    func countStock(counted: [CountedRecord]) async throws -> String {
        try record(.count(counted))
    }

    func returnPart(sku: String, qty: Int64, serials: [String], jobId: String?, reason: ReturnReasonRecord) async throws -> String {
        try record(.sendBack(sku, qty, serials, jobId, reason))
    }

    func partsCatalogue() async throws -> [PartRecord] {
        lock.withLock { catalogue }
    }

    func changes() -> AsyncStream<JobsChange> {
        stream
    }
}
