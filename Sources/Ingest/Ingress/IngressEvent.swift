import Columnstore

/// One CloudEvent accepted by the ingress, validated, before its tenant is bound.
struct IngressEvent: Sendable {
    var id: String
    var source: String
    var type: String
    /// The `tenantid` the producer sent, if any (the grant decides the tenant).
    var claimedTenant: String?
    var payloadHash: String?
    /// Every context attribute but `data`, in the order received (null-valued ones dropped).
    var attributes: [(key: String, value: JSONValue)]
    /// A JSON object, or nil when the event has none.
    var data: JSONValue?

    /// The structured-mode CloudEvent the consumer reads, with `tenantid` set to the bound tenant.
    func structuredJSON(tenant: String) -> [UInt8] {
        // Written straight into bytes (building the member list and a String first was most of the cost).
        var out: [UInt8] = []
        out.reserveCapacity(512)
        out.append(UInt8(ascii: "{"))
        var first = true
        func member(_ key: String, _ value: JSONValue) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONWriter.writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.write(value, into: &out)
        }
        // `tenantid` goes right after `type` (or last when there is no `type`, which validation rules out).
        let hasType = attributes.contains { $0.key == "type" }
        for attribute in attributes where attribute.key != "tenantid" {
            member(attribute.key, attribute.value)
            if attribute.key == "type" { member("tenantid", .string(tenant)) }
        }
        if !hasType { member("tenantid", .string(tenant)) }
        if let data { member("data", data) }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The message id that makes a retry of this event, bound to `tenant`, a duplicate in the stream.
    func messageID(tenant: String) -> String { IngressMessageID.derive(tenant: tenant, type: type, source: source, id: id) }
}
