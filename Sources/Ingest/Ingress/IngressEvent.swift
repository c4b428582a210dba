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
        var members = attributes.filter { $0.key != "tenantid" }
        let after = (members.firstIndex { $0.key == "type" } ?? members.count - 1) + 1
        members.insert((key: "tenantid", value: .string(tenant)), at: after)
        if let data { members.append((key: "data", value: data)) }
        return Array(JSONWriter.write(.object(members)).utf8)
    }

    /// The message id that makes a retry of this event a duplicate in the stream.
    var messageID: String { IngressMessageID.derive(source: source, id: id) }
}
