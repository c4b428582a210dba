import Foundation

/// One delivery of a stream message to the consumer. A reference the source can settle later.
public protocol SourceMessage: Sendable {
    /// The message's position in the stream: it orders everything.
    var streamSequence: UInt64 { get }
    /// The delivery's number within the consumer, redeliveries included: a jump means a lost delivery.
    var consumerSequence: UInt64 { get }
    /// How often this message was delivered (1 the first time).
    var deliveryCount: UInt64 { get }
    /// When the stream stored the message.
    var storedAt: Date { get }
    var subject: String { get }
    /// The payload (a copy).
    var data: [UInt8] { get }
    /// Calls `body` with the payload where it lies, valid only during the call (no copy: the decoder
    /// reads it in place).
    func withUnsafeData<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
    var dataCount: Int { get }
    var headers: [String: [String]] { get }
    func header(_ name: String) -> String?
}

extension SourceMessage {
    /// Through a copy, for sources that keep no buffer of their own.
    public func withUnsafeData<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try data.withUnsafeBytes(body)
    }
}
