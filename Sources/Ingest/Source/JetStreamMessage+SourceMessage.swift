import Foundation
import JetStream

extension JetStreamMessage: SourceMessage {
    public var streamSequence: UInt64 { metadata.streamSequence }
    public var consumerSequence: UInt64 { metadata.consumerSequence }
    public var deliveryCount: UInt64 { metadata.numDelivered }
    public var storedAt: Date { Date(timeIntervalSince1970: Double(metadata.timestampNanoseconds) / 1e9) }
}
