import FieldworkBindings
import Foundation

/// What the van stock screen and the part form need from the core: the van's stock, the
/// movements a technician records offline (a transfer counted in, a count of the van, a part
/// sent back), the catalogue, and the change stream. `StockRepository` is the core's; the unit
/// tests drive `StockViewModel` with a scripted one.
public protocol StockService: Sendable {
    /// The van's levels, transfers on their way, what waits for the office and what it
    /// refused. Throws (`ApiError.InvalidInput`, reason `.noVan`) before the office put the
    /// technician in a van.
    func vanStock() async throws -> VanStockRecord
    /// Counts a transfer in as it arrived; returns the movement's id.
    @discardableResult
    func receiveTransfer(transferId: String, counted: [CountedRecord]) async throws -> String
    /// Counts the van; returns the movement's id.
    @discardableResult
    func countStock(counted: [CountedRecord]) async throws -> String
    /// Sends a part back to the region's warehouse; returns the movement's id.
    @discardableResult
    func returnPart(sku: String, qty: Int64, serials: [String], jobId: String?, reason: ReturnReasonRecord) async throws -> String
    /// The parts catalogue the office sent, by SKU.
    func partsCatalogue() async throws -> [PartRecord]
    /// Every change to the technician's jobs (a part used on a job takes it out of the van).
    func changes() -> AsyncStream<JobsChange>
}

/// The van's stock over the core. Local reads and writes are short and durable when they
/// return; the async methods run them off the main actor. Using a part stays `addPart` (the
/// core takes a catalogue part out of the van in the same commit).
public final class StockRepository: StockService {
    let app: FieldworkApp

    public init(app: FieldworkApp) {
        self.app = app
    }

    public func vanStock() async throws -> VanStockRecord {
        try app.vanStock()
    }

    @discardableResult
    public func receiveTransfer(transferId: String, counted: [CountedRecord]) async throws -> String {
        try app.receiveTransfer(transferId: transferId, countedParts: counted, atMs: nil)
    }

    @discardableResult
    public func countStock(counted: [CountedRecord]) async throws -> String {
        try app.countStock(countedParts: counted, atMs: nil)
    }

    @discardableResult
    public func returnPart(sku: String, qty: Int64, serials: [String], jobId: String?, reason: ReturnReasonRecord) async throws -> String {
        try app.returnPart(sku: sku, qty: qty, serials: serials, jobId: jobId, reason: reason, to: nil, atMs: nil)
    }

    public func partsCatalogue() async throws -> [PartRecord] {
        try app.partsCatalogue()
    }

    public func changes() -> AsyncStream<JobsChange> {
        AsyncStream { continuation in
            let subscription = app.observeJobs(observer: JobsChangeRelay(continuation))
            continuation.onTermination = { _ in
                subscription.cancel()
            }
        }
    }
}
