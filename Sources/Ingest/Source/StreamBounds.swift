/// The first and last sequence a stream holds (both 0 when it is empty and new).
public struct StreamBounds: Sendable, Hashable {
    public var first: UInt64
    public var last: UInt64

    public init(first: UInt64, last: UInt64) {
        self.first = first
        self.last = last
    }
}
