/// Why the ingress refused a request. `description` is safe to return to the producer: it names the
/// attribute and the rule, never a token or a stored value.
public struct IngressError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, CaseIterable {
            case invalidEvent = "invalid_event"
            case unauthorized
            case forbidden
            case tooLarge = "too_large"
            case unsupportedMediaType = "unsupported_media_type"
            case unavailable
            case bodyTimeout = "body_timeout"
        }
        fileprivate let base: Base
        /// 400: the body or an event breaks a rule; `attribute` names what.
        public static let invalidEvent = Code(base: .invalidEvent)
        /// 401: no bearer token, or an unknown one.
        public static let unauthorized = Code(base: .unauthorized)
        /// 403: the token may not send this tenant or fact type.
        public static let forbidden = Code(base: .forbidden)
        /// 413: the body, the batch or one event is over its limit.
        public static let tooLarge = Code(base: .tooLarge)
        /// 415: not a CloudEvents HTTP content mode this ingress takes.
        public static let unsupportedMediaType = Code(base: .unsupportedMediaType)
        /// 503: NATS did not acknowledge; retry (the message id makes retries safe).
        public static let unavailable = Code(base: .unavailable)
        /// 408: the body did not arrive within the read timeout.
        public static let bodyTimeout = Code(base: .bodyTimeout)

        public var description: String { base.rawValue }

        /// Every code (the metrics export each refusal's series at 0 from the start).
        public static var all: [Code] { Base.allCases.map { Code(base: $0) } }

        /// The HTTP status code of this refusal.
        public var httpStatus: Int {
            switch base {
            case .invalidEvent: 400
            case .unauthorized: 401
            case .forbidden: 403
            case .tooLarge: 413
            case .unsupportedMediaType: 415
            case .unavailable: 503
            case .bodyTimeout: 408
            }
        }
    }

    public var code: Code
    /// The CloudEvents attribute (or `body`, `Content-Type`, …) at fault, if one is.
    public var attribute: String?
    /// The event's position in a batch (0-based), if the request was a batch.
    public var index: Int?
    public var detail: String

    public init(_ code: Code, attribute: String? = nil, index: Int? = nil, _ detail: String) {
        self.code = code
        self.attribute = attribute
        self.index = index
        self.detail = detail
    }

    public var description: String {
        let place = index.map { "event \($0): " } ?? ""
        return place + (attribute.map { "\($0): " } ?? "") + detail
    }

    /// The same error, placed at a batch position.
    func at(_ index: Int?) -> IngressError {
        var copy = self
        copy.index = index
        return copy
    }
}
