import FieldworkBindings
import Foundation
import Observation

/// A part's name in the phone's language: the catalogue's Chinese or English name, the other
/// one when that is empty, the SKU when the part left the catalogue (the core sends both names
/// empty then).
public enum PartName {
    public static func of(sku: String, nameZh: String, nameEn: String, chinese: Bool) -> String {
        let first = chinese ? nameZh : nameEn
        let second = chinese ? nameEn : nameZh
        if !first.isEmpty { return first }
        if !second.isEmpty { return second }
        return sku
    }
}

extension StockLevelRecord {
    /// The part's name in the phone's language (`chinese`: the app shows its zh-Hans strings).
    public func name(chinese: Bool) -> String {
        PartName.of(sku: sku, nameZh: nameZh, nameEn: nameEn, chinese: chinese)
    }
}

/// One line of a count sheet: a part and the quantity found, prefilled with what was sent (a
/// transfer counted in) or what the screen shows (a count of the van).
public struct CountLine: Identifiable, Equatable, Sendable {
    public let sku: String
    /// The name in the phone's language (the SKU when the core knows none).
    public let name: String
    public let unit: String
    /// What was sent, or the level shown: the count starts from it.
    public let expected: Int64
    public var qty: Int

    public var id: String { sku }

    public init(sku: String, name: String, unit: String, expected: Int64, qty: Int? = nil) {
        self.sku = sku
        self.name = name
        self.unit = unit
        self.expected = expected
        // A level below zero (more used than the books held) is counted from none.
        self.qty = qty ?? Int(clamping: max(0, expected))
    }

    /// No serials named: counted as sent, the core keeps the serials sent.
    var record: CountedRecord {
        CountedRecord(sku: sku, qty: Int64(qty), serials: [])
    }
}

/// A part sent back to the warehouse as the technician fills the form.
public struct ReturnForm: Equatable, Sendable {
    public var sku: String
    public var qty = 1
    public var reason = ReturnReasonRecord.unused
    /// Serial numbers, separated by commas (also Chinese ones), semicolons, spaces or new lines:
    /// one per part for a part the catalogue tracks by serial, optional for any other.
    public var serials = ""
    /// The job the part came off (optional).
    public var jobId = ""

    public init(sku: String) {
        self.sku = sku
    }

    /// The serials as typed, in order.
    public var serialList: [String] {
        serials
            .components(separatedBy: CharacterSet(charactersIn: ",;，；、").union(.whitespacesAndNewlines))
            .filter { !$0.isEmpty }
    }

    var job: String? {
        let job = jobId.trimmingCharacters(in: .whitespacesAndNewlines)
        return job.isEmpty ? nil : job
    }

    /// Why the form cannot go as typed, or nil when it can: a part tracked by serial
    /// (`serialised`, the catalogue's) names one serial per part, any other at most one per
    /// part, and no serial twice. Said in the phone's language, before anything is written.
    public func problem(serialised: Bool) -> UserMessage? {
        let named = serialList
        if serialised && named.isEmpty {
            return UserMessage(key: "stock.serial_missing", recovery: .correctInput)
        }
        var seen = Set<String>()
        for serial in named {
            if !seen.insert(serial).inserted {
                return UserMessage(key: "stock.serial_twice", arguments: [.text(serial)], recovery: .correctInput)
            }
        }
        if named.count > qty || (serialised && named.count != qty) {
            return UserMessage(
                key: "stock.serials_count",
                arguments: [.number(Int64(qty)), .number(Int64(named.count))],
                recovery: .correctInput
            )
        }
        return nil
    }
}

/// The van stock screen: the van's levels, the transfers on their way (each counted in as it
/// arrived), a count of the van, parts sent back, and what waits for the office or it refused,
/// all from the core's `vanStock` (the screen judges nothing: levels, flags and the jobs behind
/// them are the core's). Every movement works offline; the screen reloads after each one and
/// whenever the core reports a change (a part used on a job leaves the van in the same commit).
@MainActor
@Observable
public final class StockViewModel {
    public enum State: Equatable, Sendable {
        case loading
        /// The office has not put this technician in a van yet (or the phone has not synced since).
        case noVan
        case loaded(VanStockRecord)
        /// The stock could not be read.
        case error(UserMessage)
    }

    public private(set) var state: State = .loading
    /// A movement the core refused, said in the phone's language; nil after the next success.
    public private(set) var message: UserMessage?
    public private(set) var isWorking = false
    /// The SKUs the catalogue tracks by serial: sending one back names the serial of each part.
    public private(set) var serialisedSkus: Set<String> = []

    private let repository: any StockService

    public init(repository: any StockService) {
        self.repository = repository
    }

    /// The van's stock as last read (nil while loading, without a van, or after a failure).
    public var stock: VanStockRecord? {
        if case .loaded(let stock) = state { return stock }
        return nil
    }

    public var levels: [StockLevelRecord] { stock?.levels ?? [] }
    public var transfers: [TransferRecord] { stock?.inTransit ?? [] }
    /// Movements recorded here the office has not recorded yet.
    public var pending: UInt64 { stock?.pending ?? 0 }

    /// The office refused these movements: a sentence in the phone's language each, the office's
    /// English words kept as the detail (shown only behind "Details", for support).
    public var refusals: [UserMessage] {
        (stock?.refused ?? []).map(ErrorMessages.stockRefusal)
    }

    public func load() async {
        do {
            let stock = try await repository.vanStock()
            // Without the catalogue (not sent yet, unreadable) nothing is asked for a serial;
            // the core still refuses a serialised part without one.
            let catalogue = (try? await repository.partsCatalogue()) ?? []
            serialisedSkus = Set(catalogue.filter(\.serialised).map(\.sku))
            state = .loaded(stock)
        } catch ApiError.InvalidInput(_, reason: .noVan) {
            // The core's one refusal of reading the stock: no van for this technician yet.
            state = .noVan
        } catch {
            state = .error(ErrorMessages.message(for: error))
        }
    }

    /// An alias the screens' pull to refresh reads better with.
    public func refresh() async {
        await load()
    }

    /// Reloads on every change the core reports, until the calling task is cancelled.
    public func observeChanges() async {
        for await _ in repository.changes() {
            await load()
        }
    }

    public func dismissMessage() {
        message = nil
    }

    /// Whether the catalogue tracks part `sku` by serial (its "Send back" form asks for them).
    public func isSerialised(_ sku: String) -> Bool {
        serialisedSkus.contains(sku)
    }

    /// When a transfer on its way was sent, on the phone's clock and in its locale ("18 Nov
    /// 2026, 19:06"): a transfer belongs to no site.
    public func sentAt(_ transfer: TransferRecord, zone: TimeZone = .current, locale: Locale = .current) -> String {
        SiteTime.dateTime(transfer.sentAtMs, zone: zone.identifier, locale: locale)
    }

    /// The "Count in" sheet of a transfer: a line per part sent, prefilled with what was sent.
    public func countLines(for transfer: TransferRecord, chinese: Bool) -> [CountLine] {
        transfer.lines.map { line in
            let level = levels.first { $0.sku == line.sku }
            return CountLine(
                sku: line.sku,
                name: level?.name(chinese: chinese) ?? line.sku,
                unit: level?.unit ?? "",
                expected: line.qty
            )
        }
    }

    /// The "Count the van" sheet: a line per level shown, prefilled with it (from none where
    /// the level is below zero).
    public func countLines(chinese: Bool) -> [CountLine] {
        levels.map { level in
            CountLine(sku: level.sku, name: level.name(chinese: chinese), unit: level.unit, expected: level.qty)
        }
    }

    /// Counts a transfer in as it arrived (a part counted 0 arrived as none).
    @discardableResult
    public func receive(transferId: String, lines: [CountLine]) async -> Bool {
        let counted = lines.map(\.record)
        return await perform { _ = try await $0.receiveTransfer(transferId: transferId, counted: counted) }
    }

    /// Counts the van: each part as found; the office sees each difference from the level shown.
    @discardableResult
    public func count(_ lines: [CountLine]) async -> Bool {
        let counted = lines.map(\.record)
        return await perform { _ = try await $0.countStock(counted: counted) }
    }

    /// Sends a part back to the region's warehouse, with its serials and the job it came off.
    /// A form that fails its check (`ReturnForm.problem`) writes nothing: the sheet stays open
    /// and says why.
    @discardableResult
    public func returnPart(_ form: ReturnForm) async -> Bool {
        if let problem = form.problem(serialised: isSerialised(form.sku)) {
            message = problem
            return false
        }
        let serials = form.serialList
        let job = form.job
        let qty = Int64(form.qty)
        let sku = form.sku
        let reason = form.reason
        return await perform { _ = try await $0.returnPart(sku: sku, qty: qty, serials: serials, jobId: job, reason: reason) }
    }

    /// Runs one movement, then reloads the stock; a refusal becomes the screen's message.
    private func perform(_ movement: (any StockService) async throws -> Void) async -> Bool {
        isWorking = true
        defer { isWorking = false }
        do {
            try await movement(repository)
            message = nil
            await load()
            return true
        } catch {
            message = ErrorMessages.message(for: error)
            return false
        }
    }
}
