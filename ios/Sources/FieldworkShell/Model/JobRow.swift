import FieldworkBindings
import Foundation

/// How close a job is to missing its most urgent open SLA milestone: the colour of its row.
public enum SlaRisk: String, Equatable, Sendable {
    /// No open milestone (met, not needed, or no contract).
    case none
    case onTrack
    /// Past 80 % of the budget, as the core judges milestones.
    case atRisk
    case breached

    /// The budget runs from when the job was reported to the deadline, in wall-clock time
    /// (the list's approximation; the job JSON has the working-hours clocks).
    public static func of(reportedAtMs: Int64, dueMs: Int64?, nowMs: Int64) -> SlaRisk {
        guard let dueMs else { return .none }
        if nowMs >= dueMs { return .breached }
        let budget = dueMs - reportedAtMs
        guard budget > 0 else { return .atRisk }
        return (nowMs - reportedAtMs) * 5 >= budget * 4 ? .atRisk : .onTrack
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
    /// Local changes the office has not acknowledged yet.
    public let pendingSync: Bool
    /// Why the office refused this job's last changes.
    public let syncError: String?

    public init(record: JobSummaryRecord, now: Date) {
        id = record.id
        customer = record.customerName
        address = record.siteAddress
        status = record.status
        priority = record.priority
        scheduledStart = record.scheduledStartMs.map { Date(epochMilliseconds: $0) }
        slaMilestone = record.slaMilestone
        slaDue = record.slaDueMs.map { Date(epochMilliseconds: $0) }
        slaRisk = SlaRisk.of(reportedAtMs: record.reportedAtMs, dueMs: record.slaDueMs, nowMs: now.epochMilliseconds)
        pendingSync = record.pendingSync
        syncError = record.syncError
    }
}
