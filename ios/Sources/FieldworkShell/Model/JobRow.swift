import FieldworkBindings
import Foundation

/// How close a job is to missing its most urgent open SLA milestone: the colour of its row,
/// always shown beside words.
public enum SlaRisk: String, Equatable, Sendable {
    /// No open milestone (met, not needed, no contract, or the job is closed).
    case none
    case onTrack
    /// At risk: the core's rule (80 % of the contract's working-time budget spent).
    case atRisk
    case breached

    /// The core's live state of the job's most urgent milestone (`JobSummaryRecord.slaState`),
    /// never a rule of the shell's own (ADR 0006): the office's job JSON says the same.
    public static func of(state: SlaState?, status: JobStatus) -> SlaRisk {
        if status == .completed || status == .cancelled { return .none }
        switch state {
        case .pending: return .onTrack
        case .atRisk: return .atRisk
        case .breached: return .breached
        case .met, .notNeeded, nil: return .none
        }
    }
}

/// A row of today's jobs.
public struct JobRow: Identifiable, Equatable {
    public let id: String
    public let customer: String
    public let address: String
    public let status: JobStatus
    public let priority: String
    public let scheduledStart: Date?
    /// `response`, `arrival` or `resolution`, and its deadline.
    public let slaMilestone: String?
    public let slaDue: Date?
    public let slaRisk: SlaRisk
    /// Minutes to that deadline, negative once breached (the core's count).
    public let slaMinutesLeft: Int64?
    /// Local changes the office has not acknowledged yet.
    public let pendingSync: Bool
    /// Why the office refused this job's last changes.
    public let syncError: String?

    public init(record: JobSummaryRecord) {
        id = record.id
        customer = record.customerName
        address = record.siteAddress
        status = record.status
        priority = record.priority
        scheduledStart = record.scheduledStartMs.map { Date(epochMilliseconds: $0) }
        slaMilestone = record.slaMilestone
        slaDue = record.slaDueMs.map { Date(epochMilliseconds: $0) }
        slaRisk = SlaRisk.of(state: record.slaState, status: record.status)
        slaMinutesLeft = record.slaMinutesLeft
        pendingSync = record.pendingSync
        syncError = record.syncError
    }
}
