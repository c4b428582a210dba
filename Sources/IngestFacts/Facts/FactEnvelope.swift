import Columnstore

/// A decoded CloudEvents 1.0 fact. Unknown attributes are ignored.
public struct FactEnvelope: Sendable {
    public var id: String
    public var type: String
    public var source: String
    /// The `time` attribute as sent (RFC 3339), if any.
    public var time: String?
    /// The `tenantid` extension; facts without it belong to the default tenant `""`.
    public var tenant: String
    /// The CloudEvents `subject` attribute, if any.
    public var subject: String?
    /// The W3C trace id from `traceparent`, if present and well formed.
    public var traceID: String?
    /// The `correlationid` extension, if any.
    public var correlationID: String?
    /// The `data` member, parsed from JSON: always an `.object` (empty when the fact has no data).
    public var data: JSONValue

    public init(id: String, type: String, source: String, time: String? = nil, tenant: String = "", subject: String? = nil, traceID: String? = nil, correlationID: String? = nil, data: JSONValue) {
        self.id = id
        self.type = type
        self.source = source
        self.time = time
        self.tenant = tenant
        self.subject = subject
        self.traceID = traceID
        self.correlationID = correlationID
        self.data = data
    }

    /// Extracts the trace id (32 hex chars) from a `traceparent` value `00-<trace>-<span>-<flags>`.
    static func traceID(fromTraceparent value: String?) -> String? {
        guard let value else { return nil }
        let parts = value.split(separator: "-")
        guard parts.count == 4, parts[1].count == 32, parts[1].allSatisfy(\.isHexDigit) else { return nil }
        return String(parts[1])
    }
}
