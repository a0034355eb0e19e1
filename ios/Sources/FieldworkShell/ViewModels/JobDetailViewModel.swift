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

/// The job screen: status actions, notes, parts, time, diagnosis, loaners and checklist. Every
/// edit works offline; the screen reloads from the core after each one.
@MainActor
@Observable
public final class JobDetailViewModel {
    public let jobId: String
    public private(set) var detail: JobDetail?
    public private(set) var message: UserMessage?
    public private(set) var isWorking = false

    private let repository: JobsRepository

    public init(jobId: String, repository: JobsRepository) {
        self.jobId = jobId
        self.repository = repository
    }

    public var status: JobStatus? {
        detail.flatMap { JobStatus(wireName: $0.status) }
    }

    /// The status buttons to show: the core's `offered_statuses`, read with the job.
    public private(set) var statusActions: [JobStatus] = []

    public func load() async {
        do {
            detail = try await repository.detail(jobId: jobId)
            statusActions = try await repository.offeredStatuses(jobId: jobId)
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

    @discardableResult
    public func removePart(lineId: String) async -> Bool {
        await perform { try await $0.removePart(jobId: self.jobId, lineId: lineId) }
    }

    @discardableResult
    public func addTime(kind: TimeKind, start: Date, end: Date) async -> Bool {
        guard end > start else {
            message = UserMessage(key: "time.end_before_start", recovery: .correctInput)
            return false
        }
        return await perform { _ = try await $0.addTime(jobId: self.jobId, kind: kind, start: start, end: end) }
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
