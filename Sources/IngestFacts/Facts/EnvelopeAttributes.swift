import Columnstore

/// The CloudEvents attributes a structured fact's members are sorted into, in one pass; the last
/// duplicate wins, as the parser's objects already guarantee.
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
        switch key {
        case "specversion": specversion = value
        case "id": id = value
        case "type": type = value
        case "source": source = value
        case "time": time = value
        case "tenantid": tenantid = value
        case "subject": subject = value
        case "traceparent": traceparent = value
        case "correlationid": correlationid = value
        case "data": data = value
        default: break
        }
    }
}
