import Foundation

/// One job as the job JSON renders it (`FieldworkApp.jobJson`, the same JSON the office
/// serves), reduced to what the job screen shows. Times are RFC 3339 strings (see WireTime).
public struct JobDetail: Decodable, Equatable, Sendable {
    public struct Customer: Decodable, Equatable, Sendable {
        public let name: String
        public let phone: String?
    }

    public struct Site: Decodable, Equatable, Sendable {
        public let address: String
        public let timeZone: String?
    }

    public struct Asset: Decodable, Equatable, Sendable {
        public let serial: String?
        public let model: String?
    }

    public struct Note: Decodable, Equatable, Sendable, Identifiable {
        public let id: String
        public let author: String
        public let at: String
        public let text: String
    }

    public struct Part: Decodable, Equatable, Sendable, Identifiable {
        public let id: String
        public let sku: String
        public let description: String
        public let qty: UInt32
        public let serialIn: String?
        public let serialOut: String?
        public let addedBy: String
        public let removed: Bool
    }

    public struct TimeEntry: Decodable, Equatable, Sendable, Identifiable {
        public let id: String
        /// `travel` or `labour`.
        public let kind: String
        public let start: String
        public let end: String
        public let by: String
    }

    public struct Loan: Decodable, Equatable, Sendable, Identifiable {
        public let serial: String
        public let model: String?
        public let issuedAt: String
        public let returnedAt: String?
        public var id: String { serial + "@" + issuedAt }
        public var isOut: Bool { returnedAt == nil }
    }

    public struct Check: Decodable, Equatable, Sendable, Identifiable {
        public let item: String
        public let label: String
        public let unit: String?
        /// `pass`, `fail`, a measured number, or nil while not checked.
        public let result: String?
        public let note: String?
        public var id: String { item }
    }

    public struct Attachment: Decodable, Equatable, Sendable, Identifiable {
        public let id: String
        public let bytes: Int64
        public let caption: String?
        public let takenAt: String
        public let uploaded: Bool
    }

    public struct Milestone: Decodable, Equatable, Sendable {
        /// `pending`, `at_risk`, `met`, `breached` or `not_needed`.
        public let state: String
        public let metAt: String?
    }

    public struct Sla: Decodable, Equatable, Sendable {
        public let respondBy: String?
        public let arriveBy: String?
        public let resolveBy: String?
        public let response: Milestone?
        public let arrival: Milestone?
        public let resolution: Milestone?
    }

    public struct Report: Decodable, Equatable, Sendable {
        /// `none`, `signed`, `refused` or `changed_since_signed`.
        public let status: String
        public let version: UInt32?
    }

    public let id: String
    /// The wire name, e.g. `on_site` (see JobStatus(wireName:)).
    public let status: String
    public let customer: Customer
    public let site: Site
    public let asset: Asset?
    public let problem: String
    public let priority: String
    public let scheduledStart: String?
    public let notes: [Note]
    public let parts: [Part]
    public let time: [TimeEntry]
    public let sla: Sla?
    public let cause: String?
    public let faultCode: String?
    public let action: String?
    public let loaners: [Loan]
    public let checklist: [Check]
    public let report: Report
    public let attachments: [Attachment]

    public static func decode(_ json: String) throws -> JobDetail {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(JobDetail.self, from: Data(json.utf8))
    }

    public var reportChangedSinceSigned: Bool {
        report.status == "changed_since_signed"
    }
}
