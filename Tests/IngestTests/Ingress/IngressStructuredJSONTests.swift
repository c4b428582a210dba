import Columnstore
import Testing
@testable import Ingest

/// The message the ingress publishes for an event, written straight into bytes: the structured event
/// with `tenantid` (the bound tenant) right after `type`, any claimed `tenantid` dropped, `data` last.
@Suite("Ingress structured JSON")
struct IngressStructuredJSONTests {
    func event(_ json: String) throws -> IngressEvent {
        try IngressRequestParser.structured(try JSONParser.parse(json))
    }

    /// The member list and String writer the ingress used before writing bytes directly.
    func reference(_ event: IngressEvent, tenant: String) -> String {
        var members = event.attributes.filter { $0.key != "tenantid" }
        let after = (members.firstIndex { $0.key == "type" } ?? members.count - 1) + 1
        members.insert((key: "tenantid", value: .string(tenant)), at: after)
        if let data = event.data { members.append((key: "data", value: data)) }
        return JSONWriter.write(.object(members))
    }

    @Test("the same bytes as the member list written as a String, for attribute orders, extensions, escapes and no data", arguments: [
        #"{"specversion":"1.0","id":"e1","source":"/shop","type":"orders.order_placed.v1","data":{"order_id":"o1","n":-1.5e3}}"#,
        #"{"type":"a.b","tenantid":"globex","specversion":"1.0","id":"e\"2\u2028","source":"/s","note":"/s\\x","flag":true,"count":3}"#,
        #"{"data":{"a":[1,{"b":null}],"é":"😀\n"},"id":"e3","tenantid":"acme","source":"/s","specversion":"1.0","type":"t.v1","time":"2026-11-01T10:00:00Z"}"#,
        #"{"specversion":"1.0","id":"e4","source":"/s","type":"t","subject":null,"data":null}"#,
    ])
    func sameAsReference(json: String) throws {
        let event = try event(json)
        let bytes = event.structuredJSON(tenant: "acme")
        #expect(String(decoding: bytes, as: UTF8.self) == reference(event, tenant: "acme"))
        guard case .object(let members) = try JSONParser.parse(bytes) else { Issue.record("not an object"); return }
        #expect(members.filter { $0.key == "tenantid" }.map(\.value) == [.string("acme")])
        #expect(members[members.firstIndex { $0.key == "type" }! + 1].key == "tenantid")
    }
}
