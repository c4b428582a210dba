import Columnstore
import Foundation

/// The body of `GET /admin/quarantine`: one page of quarantined facts, and where the next page starts
/// when this one is full.
struct QuarantinePage: Codable, Sendable, Equatable {
    struct Fact: Codable, Sendable, Equatable {
        var partition: Int
        /// The durable whose batch recorded the entry; empty for entries from before it was recorded.
        var consumer: String
        var sequence: UInt64
        var subject: String
        var factID: String
        var factType: String
        var tenant: String
        var reason: String
        var rawBase64: String
        var headers: [String: String]

        enum CodingKeys: String, CodingKey {
            case partition, consumer, sequence, subject, tenant, reason, headers
            case factID = "fact_id"
            case factType = "fact_type"
            case rawBase64 = "raw_base64"
        }

        init(_ fact: QuarantinedFact) {
            partition = fact.partition
            consumer = fact.consumer
            sequence = fact.sequence
            subject = fact.subject
            factID = fact.factID
            factType = fact.factType
            tenant = fact.tenant
            reason = fact.reason
            rawBase64 = Data(fact.raw).base64EncodedString()
            headers = JSONCoding.headers(from: fact.headersJSON)
        }
    }

    var facts: [Fact]
    /// Present when the page is full: pass it as `after_sequence` for the next one.
    var nextAfterSequence: UInt64?

    enum CodingKeys: String, CodingKey {
        case facts
        case nextAfterSequence = "next_after_sequence"
    }
}
