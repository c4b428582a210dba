/// The request body did not arrive within its deadline (see `BodyReadTimeoutHandler`).
public struct BodyReadTimedOut: Error, Sendable, CustomStringConvertible {
    public init() {}

    public var description: String { "the request body did not arrive within the read timeout" }
}
