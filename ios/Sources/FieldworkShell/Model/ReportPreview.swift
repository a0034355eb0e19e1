import Foundation

/// What the customer is about to sign (`FieldworkApp.reportPreview`): the report's canonical
/// JSON without a signature, reduced to what the signing screen shows.
public struct ReportPreview: Decodable, Equatable, Sendable {
    public struct Content: Decodable, Equatable, Sendable {
        public struct Customer: Decodable, Equatable, Sendable {
            public let name: String
        }

        public struct Part: Decodable, Equatable, Sendable {
            public let sku: String
            public let description: String
            public let qty: UInt32
        }

        public struct Work: Decodable, Equatable, Sendable {
            public let text: String
        }

        public struct Time: Decodable, Equatable, Sendable {
            public let labourMinutes: Int64
            public let travelMinutes: Int64
        }

        public struct Photo: Decodable, Equatable, Sendable {
            public let id: String
        }

        public struct Charges: Decodable, Equatable, Sendable {
            public let currency: String
            /// Minor units (cents).
            public let total: Int64
        }

        public let customer: Customer
        public let problem: String
        public let parts: [Part]
        public let workDone: [Work]
        public let time: Time
        public let photos: [Photo]
        public let charges: Charges?
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
