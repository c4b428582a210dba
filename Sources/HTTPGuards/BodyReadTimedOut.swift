import Hummingbird

/// The request body did not arrive within its deadline (see `BodyReadTimeoutHandler`). A route that does
/// not answer it itself (the query API's is a 504 `deadline_exceeded`) answers 408, not 500.
public struct BodyReadTimedOut: HTTPResponseError, Sendable, CustomStringConvertible {
    public init() {}

    public var description: String { "the request body did not arrive within the read timeout" }

    public var status: HTTPResponse.Status { .requestTimeout }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try HTTPError(status, message: description).response(from: request, context: context)
    }
}
