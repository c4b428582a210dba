import Columnstore

/// An error answer in Connect's unary protocol (the same for both codecs: errors are always JSON): `{"code": "...", "message": "..."}` with the
/// HTTP status Connect assigns to the code. `message` is always safe to show the caller.
struct ConnectError: Error, Sendable, CustomStringConvertible {
    struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable, CaseIterable {
            case invalidArgument = "invalid_argument"
            case notFound = "not_found"
            case unauthenticated
            case permissionDenied = "permission_denied"
            case resourceExhausted = "resource_exhausted"
            case deadlineExceeded = "deadline_exceeded"
            case unavailable
            case unimplemented
            case `internal`
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        static let invalidArgument = Code(.invalidArgument)
        static let notFound = Code(.notFound)
        static let unauthenticated = Code(.unauthenticated)
        static let permissionDenied = Code(.permissionDenied)
        static let resourceExhausted = Code(.resourceExhausted)
        static let deadlineExceeded = Code(.deadlineExceeded)
        static let unavailable = Code(.unavailable)
        static let unimplemented = Code(.unimplemented)
        static let `internal` = Code(.internal)

        /// Every code, in a stable order (for the OpenAPI document).
        static let all: [Code] = Base.allCases.map(Code.init)

        /// The wire name, e.g. `invalid_argument`.
        var name: String { base.rawValue }
        var description: String { base.rawValue }

        /// Connect's HTTP status for the code.
        var httpStatus: Int {
            switch base {
            case .invalidArgument: 400
            case .notFound: 404
            case .unauthenticated: 401
            case .permissionDenied: 403
            case .resourceExhausted: 429
            case .deadlineExceeded: 504
            case .unavailable: 503
            case .unimplemented: 501
            case .internal: 500
            }
        }
    }

    var code: Code
    var message: String
    /// Server-side detail for the log (never sent to the caller).
    var detail: String?
    /// The HTTP status when the spec answers with one of its own before the Connect protocol
    /// applies: 415 for an unsupported codec, 405 for GET on a method with side effects.
    var statusOverride: Int?
    /// Headers the answer carries, e.g. `Accept-Encoding` naming the supported compressions.
    var headers: [(name: String, value: String)] = []

    init(_ code: Code, _ message: String, detail: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    /// The HTTP status of the answer.
    var httpStatus: Int { statusOverride ?? code.httpStatus }

    /// The store's failure as the caller sees it.
    init(_ error: QueryError) {
        let code: Code
        switch error.code {
        case .deadlineExceeded: code = .deadlineExceeded
        case .resourceExhausted: code = .resourceExhausted
        case .unavailable: code = .unavailable
        default: code = .internal
        }
        self.init(code, error.message, detail: error.detail)
    }

    var description: String { "\(code.name): \(message)" }

    /// The JSON body.
    var json: JSONValue {
        .object([("code", .string(code.name)), ("message", .string(message))])
    }

    static func invalid(_ field: String, _ reason: String) -> ConnectError {
        ConnectError(.invalidArgument, "\(field): \(reason)")
    }
}
