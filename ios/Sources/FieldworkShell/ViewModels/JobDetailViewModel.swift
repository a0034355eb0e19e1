import FieldworkBindings
import Foundation
import Observation

/// A part line as the technician types it.
public struct PartForm: Equatable, Sendable {
    public var sku = ""
    public var description = ""
    public var qty = 1
    public var serialIn = ""
    public var serialOut = ""
    /// `van` or `warehouse`, or empty.
    public var stock = ""

    public init() {}

    var record: NewPartRecord {
        NewPartRecord(
            sku: sku.trimmingCharacters(in: .whitespaces),
            description: description,
            qty: UInt32(clamping: qty),
            serialIn: serialIn.isEmpty ? nil : serialIn,
            serialOut: serialOut.isEmpty ? nil : serialOut,
            stock: stock.isEmpty ? nil : stock
        )
    }
}

/// A part the van holds, for the part form's picker: its name in the phone's language and what
/// is on hand (the core's level).
public struct VanPart: Identifiable, Equatable, Sendable {
    public let sku: String
    public let name: String
    public let unit: String
    public let onHand: Int64
    /// Tracked one by one (the catalogue's): using one asks for its serial.
    public let serialised: Bool

    public var id: String { sku }

    public init(sku: String, name: String, unit: String, onHand: Int64, serialised: Bool) {
        self.sku = sku
        self.name = name
        self.unit = unit
        self.onHand = onHand
        self.serialised = serialised
    }

    /// The parts the van holds (on hand above zero), in the core's order, named in the phone's
    /// language; `catalogue` says which are tracked by serial.
    public static func list(from stock: VanStockRecord, catalogue: [PartRecord], chinese: Bool) -> [VanPart] {
        stock.levels.filter { $0.qty > 0 }.map { level in
            VanPart(
                sku: level.sku,
                name: level.name(chinese: chinese),
                unit: level.unit,
                onHand: level.qty,
                serialised: catalogue.first { $0.sku == level.sku }?.serialised ?? false
            )
        }
    }
}

extension PartForm {
    /// Fills the form from a part the van holds: its SKU, its name as the description, taken
    /// from the van. Quantity and serials stay as typed (or scanned).
    public mutating func pick(_ part: VanPart) {
        sku = part.sku
        description = part.name
        stock = "van"
    }

    /// Fills the form from a code scanned into the van picker: a part of the van is picked, a
    /// serial is the serial fitted. False, the form unchanged, when nothing was read.
    @discardableResult
    public mutating func apply(_ scan: VanScan) -> Bool {
        switch scan {
        case .part(let part):
            pick(part)
            return true
        case .serial(let serial):
            serialIn = serial
            return true
        case .nothing:
            return false
        }
    }
}

/// What a code scanned into the part form's van picker is (`JobDetailViewModel.vanScan`).
public enum VanScan: Equatable, Sendable {
    /// The part number of a part the van holds: the picker picks it.
    case part(VanPart)
    /// Anything else: the serial of the part being fitted.
    case serial(String)
    /// Nothing was read (white space only).
    case nothing

    /// The part number of one of `parts` (the same letters, in either case) is that part; any
    /// other code is the serial of the part fitted. White space and control characters around
    /// the code (a scanner's line end, a GS1 code's group separator) are not part of it.
    public static func of(_ payload: String, among parts: [VanPart]) -> VanScan {
        let code = payload.trimmingCharacters(in: .whitespacesAndNewlines.union(.controlCharacters))
        guard !code.isEmpty else { return .nothing }
        if let part = parts.first(where: { $0.sku == code })
            ?? parts.first(where: { $0.sku.caseInsensitiveCompare(code) == .orderedSame }) {
            return .part(part)
        }
        return .serial(code)
    }
}

/// The job screen's bottom bar (as Android's): the visit's next step is the main action, on the
/// right under the thumb; a hold (or anything else offered) comes before it, outlined.
public struct JobBarActions: Equatable, Sendable {
    public let primary: JobStatus?
    public let secondary: [JobStatus]

    public init(offered: [JobStatus]) {
        let main = offered.first { $0 != .onHold } ?? offered.first
        primary = main
        secondary = offered.filter { $0 != main }
    }
}

/// A checklist result: pass, fail, or a measured value.
public enum CheckResult: Equatable, Sendable {
    case pass
    case fail
    case measured(Double)

    var wire: String {
        switch self {
        case .pass: return "pass"
        case .fail: return "fail"
        case .measured(let value): return String(value)
        }
    }
}

/// One SLA milestone as the job screen says it: which, due when, the core's state, and for an
/// open one the time left in words.
public struct MilestoneLine: Identifiable, Equatable, Sendable {
    public let kind: MilestoneKind
    public let dueMs: Int64
    public let state: SlaState
    public let metAtMs: Int64?
    /// "At risk, 15 min left", "Overdue 20 min"; nil once met or not needed.
    public let words: SlaWords?

    public var id: String { kind.labelKey }

    public init(_ milestone: MilestoneRecord) {
        kind = milestone.kind
        dueMs = milestone.dueMs
        state = milestone.state
        metAtMs = milestone.metAtMs
        words = SlaText.of(risk: SlaRisk.of(state: milestone.state), minutesLeft: milestone.minutesLeft)
    }
}

/// The job screen: status actions, notes, parts, time, diagnosis, loaners, checklist, charges,
/// photos and the report's state, all from the core's `JobDetailRecord` (the screen parses
/// nothing and judges nothing: the SLA, the statuses offered, which part lines and photos may
/// be removed and the time proposed from the status timeline are the core's). Every edit works
/// offline; the screen reloads after each one.
@MainActor
@Observable
public final class JobDetailViewModel {
    public let jobId: String
    public private(set) var detail: JobDetailRecord?
    /// Travel and labour the status timeline shows and the technician has not recorded yet
    /// (the core's `proposedTimes`, oldest first): each offered to add as it is, or to edit.
    public private(set) var proposedTimes: [ProposedTimeRecord] = []
    /// The office refused this job's last changes: said in the phone's language, its English
    /// words only as the detail (behind "Details"); nil when it did not.
    public private(set) var syncRefusal: UserMessage?
    public private(set) var message: UserMessage?
    public private(set) var isWorking = false
    /// What the van holds, for the part form's picker (empty without a van).
    public private(set) var vanParts: [VanPart] = []

    private let repository: JobsRepository
    private let photos: PhotosRepository
    private let stock: any StockService
    private let now: @Sendable () -> Date

    /// `photos`: the photos' thumbnails and removal; `stock`: the van's parts for the part form
    /// (both by default over the same core). `now`: the clock the SLA is judged at.
    public init(
        jobId: String,
        repository: JobsRepository,
        photos: PhotosRepository? = nil,
        stock: (any StockService)? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.jobId = jobId
        self.repository = repository
        self.photos = photos ?? PhotosRepository(app: repository.app)
        self.stock = stock ?? StockRepository(app: repository.app)
        self.now = now
    }

    public var status: JobStatus? {
        detail?.status
    }

    /// The status buttons to show: exactly the core's offered statuses, in its order.
    public var statusActions: [JobStatus] {
        detail?.offeredStatuses ?? []
    }

    /// The bottom bar's actions: the statuses the core offers, the visit's next step as the main one.
    public var barActions: JobBarActions {
        JobBarActions(offered: statusActions)
    }

    /// After completion, with no status offered: signing the report (not signed yet, or changed
    /// since) is the bar's main action.
    public var offersSigning: Bool {
        guard let detail, detail.status == .completed, statusActions.isEmpty else { return false }
        switch detail.report.state {
        case .none, .changedSinceSigned: return true
        case .signed, .refused: return false
        }
    }

    /// The SLA's headline in words (the job list's row says the same); nil without a running
    /// clock.
    public var slaWords: SlaWords? {
        guard let detail, let sla = detail.sla else { return nil }
        return SlaText.of(risk: SlaRisk.of(state: sla.state, status: detail.status), minutesLeft: sla.minutesLeft)
    }

    /// The headline's risk (the colour beside the words).
    public var slaRisk: SlaRisk {
        guard let detail else { return .none }
        return SlaRisk.of(state: detail.sla?.state, status: detail.status)
    }

    /// Response, arrival and resolution, each with its words.
    public var milestones: [MilestoneLine] {
        detail?.sla?.milestones.map(MilestoneLine.init) ?? []
    }

    /// The loaners still with the customer (a return is offered for each).
    public var loanersOut: [LoanerRecord] {
        detail?.loaners.filter { $0.returnedAtMs == nil } ?? []
    }

    public var reportChangedSinceSigned: Bool {
        detail?.report.state == .changedSinceSigned
    }

    /// The job's time zone name, for times read as the site's clock (nil before it loads).
    public var siteTimeZone: String? {
        detail?.site.timeZone
    }

    public func load() async {
        do {
            let detail = try await repository.detail(jobId: jobId, at: now())
            self.detail = detail
            proposedTimes = try await repository.proposedTimes(jobId: jobId)
            syncRefusal = ErrorMessages.syncRefusal(detail.syncError)
        } catch {
            message = ErrorMessages.message(for: error)
        }
    }

    /// Reloads whenever this job changes, until the calling task is cancelled.
    public func observeChanges() async {
        for await change in repository.changes() where change.jobIds.contains(jobId) {
            await load()
        }
    }

    public func dismissMessage() {
        message = nil
    }

    /// Reads what the van holds for the part form's picker; without a van (or if the stock
    /// cannot be read) the picker is simply not offered: the part is typed or scanned.
    public func loadVanParts(chinese: Bool) async {
        guard let van = try? await stock.vanStock() else {
            vanParts = []
            return
        }
        let catalogue = (try? await stock.partsCatalogue()) ?? []
        vanParts = VanPart.list(from: van, catalogue: catalogue, chinese: chinese)
    }

    /// What a code scanned into the part form's van picker is, among the parts the van holds
    /// now: a part to pick, or the serial fitted (`VanScan.of`).
    public func vanScan(_ payload: String) -> VanScan {
        VanScan.of(payload, among: vanParts)
    }

    /// A photo's thumbnail (JPEG), nil when this phone does not hold it.
    public func thumbnail(for photo: PhotoRecord) async -> Data? {
        try? await photos.thumbnail(of: photo)
    }

    /// Removes a photo taken by mistake (the screen offers it only where the record says
    /// `removable`: the technician who took it; the core refuses anyone else, said of a photo).
    @discardableResult
    public func removePhoto(attachmentId: String) async -> Bool {
        let photos = self.photos
        let jobId = self.jobId
        return await perform({ _ in try await photos.remove(jobId: jobId, attachmentId: attachmentId) })
    }

    @discardableResult
    public func setStatus(_ status: JobStatus) async -> Bool {
        await perform { try await $0.setStatus(jobId: self.jobId, status: status) }
    }

    @discardableResult
    public func addNote(_ text: String) async -> Bool {
        await perform { _ = try await $0.addNote(jobId: self.jobId, text: text) }
    }

    @discardableResult
    public func addPart(_ form: PartForm) async -> Bool {
        let part = form.record
        return await perform { _ = try await $0.addPart(jobId: self.jobId, part: part) }
    }

    /// Removes a part line (the core refuses a line this technician did not add: the screen
    /// offers the action only where the record says `removable`).
    @discardableResult
    public func removePart(lineId: String) async -> Bool {
        await perform { try await $0.removePart(jobId: self.jobId, lineId: lineId) }
    }

    /// Records travel or labour time; the core judges the times (an end before the start, an
    /// entry too long).
    @discardableResult
    public func addTime(kind: TimeKind, start: Date, end: Date) async -> Bool {
        await perform { _ = try await $0.addTime(jobId: self.jobId, kind: kind, start: start, end: end) }
    }

    /// Records a proposal as it is: `addTime` with its kind and times (then the core no longer
    /// proposes it). To change its times, the time form opens with them instead.
    @discardableResult
    public func addProposedTime(_ proposal: ProposedTimeRecord) async -> Bool {
        await addTime(kind: proposal.kind, start: proposal.start, end: proposal.end)
    }

    @discardableResult
    public func recordDiagnosis(cause: FaultCause, faultCode: String, action: String?) async -> Bool {
        let action = action?.isEmpty == true ? nil : action
        return await perform { try await $0.recordDiagnosis(jobId: self.jobId, cause: cause, faultCode: faultCode, action: action) }
    }

    @discardableResult
    public func issueLoaner(serial: String, model: String) async -> Bool {
        await perform { try await $0.issueLoaner(jobId: self.jobId, serial: serial, model: model) }
    }

    @discardableResult
    public func returnLoaner(serial: String) async -> Bool {
        await perform { try await $0.returnLoaner(jobId: self.jobId, serial: serial) }
    }

    @discardableResult
    public func recordCheck(item: String, result: CheckResult, note: String?) async -> Bool {
        let note = note?.isEmpty == true ? nil : note
        return await perform { try await $0.recordCheck(jobId: self.jobId, item: item, result: result.wire, note: note) }
    }

    /// Runs one edit, then reloads the job; a refusal becomes the screen's message.
    private func perform(_ edit: (JobsRepository) async throws -> Void) async -> Bool {
        isWorking = true
        defer { isWorking = false }
        do {
            try await edit(repository)
            message = nil
            await load()
            return true
        } catch {
            message = ErrorMessages.message(for: error)
            return false
        }
    }
}
