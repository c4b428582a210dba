import Foundation
import Ingest

/// One delivery from an `InMemoryMessageSource`.
public struct InMemoryMessage: SourceMessage, Hashable {
    public var streamSequence: UInt64
    public var consumerSequence: UInt64
    public var deliveryCount: UInt64
    public var storedAt: Date
    public var subject: String
    public var data: [UInt8]
    public var headers: [String: [String]]
    /// Which incarnation of the consumer delivered it: an ack of an older one's delivery is not heard
    /// by the current consumer (as with a deleted and re-created JetStream durable).
    public var incarnation: Int

    public var dataCount: Int { data.count }
    public func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value.last
    }
}
