import FieldworkBindings
import Foundation

/// How close a job is to missing its most urgent open SLA milestone: the colour of its row,
/// always shown beside words (`SlaWords`).
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
        return of(state: state)
    }

    /// The risk of one milestone's state (or the job screen's headline) as the core judged it.
    public static func of(state: SlaState?) -> SlaRisk {
        switch state {
        case .pending: return .onTrack
        case .atRisk: return .atRisk
        case .breached: return .breached
        case .met, .notNeeded, nil: return .none
        }
    }
}

/// A risk in words, as Android's `SlaText` says it: "Overdue 20 min", "At risk, 15 min left",
/// "3 h left". `key` is a Localizable.strings key whose value takes `amount` (`%lld`).
public struct SlaWords: Equatable, Sendable {
    public let key: String
    public let amount: Int64

    public init(key: String, amount: Int64) {
        self.key = key
        self.amount = amount
    }

    /// The words in a language, given its Localizable.strings lookup.
    public func text(_ localize: (String) -> String) -> String {
        String(format: localize(key), amount)
    }
}

public enum SlaText {
    /// Up to two hours the words count minutes, beyond that whole hours (as on Android).
    public static let minutesUpTo: Int64 = 120

    /// The words of a risk from the core's minutes left (negative once breached); nil when no
    /// clock runs.
    public static func of(risk: SlaRisk, minutesLeft: Int64?) -> SlaWords? {
        guard let left = minutesLeft else { return nil }
        let keys: (minutes: String, hours: String)
        switch risk {
        case .none: return nil
        case .breached: keys = ("sla.overdue_minutes", "sla.overdue_hours")
        case .atRisk: keys = ("sla.at_risk_minutes", "sla.at_risk_hours")
        case .onTrack: keys = ("sla.left_minutes", "sla.left_hours")
        }
        // The core rounds down, so 30 s late is -1: overdue by a minute.
        let amount = left < 0 ? -left : left
        return amount <= minutesUpTo ? SlaWords(key: keys.minutes, amount: amount) : SlaWords(key: keys.hours, amount: amount / 60)
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
    /// The site's IANA time zone: the row's times read as the site's clock (`SiteTime`).
    public let siteTimeZone: String
    /// Local changes the office has not acknowledged yet.
    public let pendingSync: Bool
    /// Why the office refused this job's last changes, in the office's English (for support:
    /// the screens say `syncRefusal`).
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
        siteTimeZone = record.siteTimeZone
        pendingSync = record.pendingSync
        syncError = record.syncError
    }

    /// The office refused this job's last changes: said in the phone's language, the office's
    /// English words as its detail (behind "Details" on the job screen); nil when it did not.
    public var syncRefusal: UserMessage? {
        ErrorMessages.syncRefusal(syncError)
    }

    /// The row's risk in words ("Overdue 20 min"), beside its dot and as the dot's
    /// accessibility label; nil when no clock runs.
    public var slaWords: SlaWords? {
        SlaText.of(risk: slaRisk, minutesLeft: slaMinutesLeft)
    }
}
