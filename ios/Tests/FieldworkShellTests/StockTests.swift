import FieldworkBindings
@testable import FieldworkShell
import XCTest

/// The van stock screen's view model against a scripted core (no office, no device): no van
/// yet as its own state, the levels and sheets prefilled from the core's record, each movement
/// passed to the core as the technician counted it and the stock read again after it, a change
/// the core reports read again, a refusal said in words, the part form's van picker; and every
/// word the screen shows in both languages.
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
        form.qty = 2
        form.reason = .defective
        form.serials = " S-1, S-2\nS-3 "
        form.jobId = "  "
        let sent = await model.returnPart(form)
        XCTAssertTrue(sent)
        XCTAssertEqual(service.recorded.last, .sendBack("FLT-200", 2, ["S-1", "S-2", "S-3"], nil, .defective))
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
        []
    }

    func changes() -> AsyncStream<JobsChange> {
        stream
    }
}
