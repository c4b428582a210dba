import Columnstore
import Testing
@testable import Ingest

@Suite("CloudEvents decoding")
struct FactDecoderTests {
    let decoder = FactDecoder(maxFactBytes: 4096)
    let noHeaders: (String) -> String? = { _ in nil }

    @Test("structured mode reads attributes, the tenant extension and the trace id")
    func structured() throws {
        let body = #"{"specversion":"1.0","id":"e-1","source":"/orders","type":"orders.order_placed.v1","time":"2026-03-01T10:15:00Z","tenantid":"t1","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","unknownattr":42,"data":{"order_id":"o-1","amount_cents":1250}}"#
        let fact = try decoder.decode(body: Array(body.utf8), header: noHeaders)
        #expect(fact.id == "e-1")
        #expect(fact.type == "orders.order_placed.v1")
        #expect(fact.tenant == "t1")
        #expect(fact.time == "2026-03-01T10:15:00Z")
        #expect(fact.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(fact.data["order_id"] == .string("o-1"))
    }

    @Test("a fact without tenantid belongs to the default tenant")
    func defaultTenant() throws {
        let fact = try decoder.decode(body: Array(#"{"specversion":"1.0","id":"1","type":"x","source":"s","data":{}}"#.utf8), header: noHeaders)
        #expect(fact.tenant == "")
    }

    @Test("binary mode reads ce-* headers and the data from the body")
    func binary() throws {
        let headers = ["ce-specversion": "1.0", "ce-id": "b-1", "ce-type": "orders.order_refunded.v1", "ce-source": "/r", "ce-tenantid": "t2"]
        let fact = try decoder.decode(body: Array(#"{"refund_id":"r-1"}"#.utf8)) { headers[$0] }
        #expect(fact.id == "b-1")
        #expect(fact.tenant == "t2")
        #expect(fact.data["refund_id"] == .string("r-1"))
    }

    @Test("poison envelopes are rejected with a reason naming the field",
          arguments: [
            ("not json", FactRejection.Code.invalidJSON, nil as String?),
            ("[1,2]", .invalidJSON, nil),
            (#"{"specversion":"1.0","type":"x","source":"s"}"#, .invalidEnvelope, "id"),
            (#"{"specversion":"1.0","id":"1","source":"s"}"#, .invalidEnvelope, "type"),
            (#"{"id":"1","type":"x"}"#, .invalidEnvelope, "specversion"),
            (#"{"specversion":"1.0","id":7,"type":"x"}"#, .invalidEnvelope, "id"),
            (#"{"specversion":"1.0","id":"1","type":"x","data":"text"}"#, .invalidEnvelope, "data"),
          ])
    func rejections(body: String, code: FactRejection.Code, field: String?) {
        #expect(throws: FactRejection.self) { try decoder.decode(body: Array(body.utf8), header: noHeaders) }
        do {
            _ = try decoder.decode(body: Array(body.utf8), header: noHeaders)
        } catch {
            #expect(error.code == code)
            #expect(error.field == field)
        }
    }

    @Test("an oversize fact is rejected before parsing")
    func oversize() {
        let body = [UInt8](repeating: UInt8(ascii: " "), count: 5000)
        do {
            _ = try decoder.decode(body: body, header: noHeaders)
            Issue.record("expected a rejection")
        } catch {
            #expect(error.code == .oversize)
        }
    }
}
