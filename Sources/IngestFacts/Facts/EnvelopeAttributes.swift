import Columnstore

/// The CloudEvents attributes a structured fact's members are sorted into, in one pass (the parser
/// refuses duplicate keys, so each attribute is set at most once).
struct EnvelopeAttributes {
    var specversion: JSONValue?
    var id: JSONValue?
    var type: JSONValue?
    var source: JSONValue?
    var time: JSONValue?
    var tenantid: JSONValue?
    var subject: JSONValue?
    var traceparent: JSONValue?
    var correlationid: JSONValue?
    var data: JSONValue?

    mutating func take(_ key: String, _ value: JSONValue) {
        // By length first: most comparisons of different strings are then avoided.
        switch (key.utf8.count, key) {
        case (11, "specversion"): specversion = value
        case (2, "id"): id = value
        case (4, "type"): type = value
        case (6, "source"): source = value
        case (4, "time"): time = value
        case (8, "tenantid"): tenantid = value
        case (7, "subject"): subject = value
        case (11, "traceparent"): traceparent = value
        case (13, "correlationid"): correlationid = value
        case (4, "data"): data = value
        default: break
        }
    }
}
