/// One key's current value in a `KeyValueBucket`, with the revision a compare-and-set update names.
public struct KeyValueEntry: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]
    /// The bucket stream's sequence of this value: strictly increasing across the whole bucket.
    public var revision: UInt64

    public init(key: String, value: [UInt8], revision: UInt64) {
        self.key = key
        self.value = value
        self.revision = revision
    }
}
