/// The errors the in-memory fakes throw when told to fail.
public struct InMemoryFault: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public static let disconnected = InMemoryFault(description: "in-memory source: disconnected")
    public static let fetchFailed = InMemoryFault(description: "in-memory source: fetch failed")
    public static let storeUnavailable = InMemoryFault(description: "in-memory store: unavailable")
    public static let crashed = InMemoryFault(description: "in-memory store: the process crashed during this step")
}
