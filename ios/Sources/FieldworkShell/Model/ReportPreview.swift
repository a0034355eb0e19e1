import Foundation

/// What the customer is about to sign (`FieldworkApp.reportPreview`): the report's canonical
/// JSON without a signature, as the core builds it from the job (the same code that seals).
/// Everything the report's content holds is decoded, so the review shows all of it.
public struct ReportPreview: Decodable, Equatable, Sendable {
    public struct Content: Decodable, Equatable, Sendable {
        public struct Customer: Decodable, Equatable, Sendable {
            public let name: String
            public let phone: String?
        }

        public struct Site: Decodable, Equatable, Sendable {
            public let address: String
        }

        public struct Asset: Decodable, Equatable, Sendable {
            public let serial: String?
            public let model: String?
        }

        public struct Diagnosis: Decodable, Equatable, Sendable {
            /// The cause's wire name (`power_supply`); its label is `cause.<name>`.
            public let cause: String
            public let faultCode: String
            public let action: String?
        }

        public struct Part: Decodable, Equatable, Sendable {
            public let line: String?
            public let sku: String
            public let description: String
            public let qty: UInt32
            public let serialIn: String?
            public let serialOut: String?
        }

        public struct Work: Decodable, Equatable, Sendable {
            public let text: String
            public let at: String?
        }

        public struct Time: Decodable, Equatable, Sendable {
            public let labourMinutes: Int64
            public let travelMinutes: Int64
        }

        public struct Check: Decodable, Equatable, Sendable {
            public let item: String
            public let label: String
            public let unit: String?
            /// `pass`, `fail`, a measured value, or nil when not done.
            public let result: String?
            public let note: String?
        }

        public struct Photo: Decodable, Equatable, Sendable {
            public let id: String
            public let caption: String?
        }

        public struct Charges: Decodable, Equatable, Sendable {
            public let currency: String
            /// Minor units (cents).
            public let total: Int64
            /// No cause recorded yet: priced as a quality defect.
            public let provisional: Bool?
        }

        public let customer: Customer
        public let site: Site?
        public let asset: Asset?
        public let problem: String
        public let diagnoses: [Diagnosis]
        public let workDone: [Work]
        public let parts: [Part]
        public let time: Time
        public let checklist: [Check]
        public let photos: [Photo]
        public let charges: Charges?
        public let technician: String?
    }

    public let job: String
    public let version: UInt32
    /// `zh-CN` or `en`.
    public let language: String
    public let content: Content

    public static func decode(_ json: String) throws -> ReportPreview {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ReportPreview.self, from: Data(json.utf8))
    }
}
