import Foundation
/// A poison fact on its way to the quarantine table, with the raw message so it can be re-driven.
public struct QuarantinedFact: Sendable, Hashable {
    public var sequence: UInt64
    /// The partition whose stream `sequence` is in. Listings report it; a write records the batch's
    /// consumer partition instead, since a batch comes from one partition.
    public var partition: Int
    /// The durable consumer whose batch recorded the entry, likewise: listings report it, a write records
    /// the batch's consumer. Empty for entries recorded before internal tables version 6.
    public var consumer: String
    public var subject: String
    public var factID: String
    public var factType: String
    public var tenant: String
    public var reason: String
    public var raw: [UInt8]
    /// NATS headers as a JSON object text.
    public var headersJSON: String

    public init(sequence: UInt64, partition: Int = 0, consumer: String = "", subject: String, factID: String = "", factType: String = "", tenant: String = "", reason: String, raw: [UInt8], headersJSON: String = "{}") {
        self.sequence = sequence
        self.partition = partition
        self.consumer = consumer
        // Envelope values of a poison fact may hold anything; Postgres text cannot hold NUL, so it is
        // replaced (the raw message keeps the original bytes).
        self.subject = Self.storable(subject)
        self.factID = Self.storable(factID)
        self.factType = Self.storable(factType)
        self.tenant = Self.storable(tenant)
        self.reason = Self.storable(reason)
        self.raw = raw
        self.headersJSON = headersJSON
    }

    private static func storable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    public var key: QuarantineKey { QuarantineKey(partition: partition, sequence: sequence, consumer: consumer) }
}
