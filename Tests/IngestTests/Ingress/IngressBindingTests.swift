import Columnstore
import Testing
@testable import Ingest

/// Tenants come from the producer's grant; the message is the structured event the consumer reads.
@Suite("Ingress binding: tenant, type, subject, message id")
struct IngressBindingTests {
    let binding = IngressBinding(subjects: try! SubjectTemplate("facts.{tenant}.{type}"), maxFactBytes: 1_024)
    let acme = ProducerGrant(tenants: ["acme"], types: ["orders.order_placed.v1"])

    func event(_ extra: String = "", data: String = #"{"order_id":"o1"}"#) throws -> IngressEvent {
        let json = #"{"specversion":"1.0","id":"e1","source":"/shop","type":"orders.order_placed.v1"\#(extra),"data":\#(data)}"#
        return try #require(try IngressRequestParser.structured(try JSONParser.parse(json)) as IngressEvent?)
    }

    /// The refusal `body` throws (nil if it throws none; anything but an IngressError fails the test).
    func refusal(_ body: () throws -> Void) -> IngressError? {
        do {
            try body()
            return nil
        } catch let error as IngressError {
            return error
        } catch {
            Issue.record("not an IngressError: \(error)")
            return nil
        }
    }

    @Test("the grant's only tenant is bound; the message is a structured event FactDecoder reads back")
    func bound() throws {
        let message = try binding.message(for: try event(), grant: acme)
        #expect(message.subject == "facts.acme.orders.order_placed.v1")
        #expect(message.messageID == IngressMessageID.derive(source: "/shop", id: "e1"))
        let envelope = try FactDecoder(maxFactBytes: 1 << 20).decode(body: message.data) { _ in nil }
        #expect(envelope.id == "e1" && envelope.source == "/shop" && envelope.type == "orders.order_placed.v1" && envelope.tenant == "acme")
        #expect(envelope.data == .object([("order_id", .string("o1"))]))
        // The subject's tenant token agrees with the payload (PROJECTION_TENANT_SUBJECT_TOKEN=2).
        #expect(try TenantBinding(token: 2).tenant(envelope.tenant, subject: message.subject) == "acme")
    }

    @Test("a forged tenant or a type outside the grant is 403; several tenants need tenantid")
    func refused() throws {
        #expect(refusal { _ = try binding.message(for: try! event(#","tenantid":"globex""#), grant: acme) }?.code == .forbidden)
        let other = try event().with(type: "orders.order_refunded.v1")
        #expect(refusal { _ = try binding.message(for: other, grant: acme) }?.attribute == "type")
        let both = ProducerGrant(tenants: ["acme", "globex"], types: nil)
        #expect(refusal { _ = try binding.message(for: try! event(), grant: both) }?.attribute == "tenantid")
        #expect(try binding.message(for: try event(#","tenantid":"globex""#), grant: both).subject == "facts.globex.orders.order_placed.v1")
        let big = try event(data: #"{"pad":""# + String(repeating: "x", count: 2_000) + #""}"#)
        #expect(refusal { _ = try binding.message(for: big, grant: acme) }?.code == .tooLarge)
        let batchError = refusal { _ = try binding.messages(for: [try! event(), big], grant: acme, batch: true) }
        #expect(batchError?.index == 1)
    }

    @Test("message ids: the same source and id give the same id; the pair cannot be shifted")
    func messageIDs() {
        #expect(IngressMessageID.derive(source: "a", id: "b") == IngressMessageID.derive(source: "a", id: "b"))
        #expect(IngressMessageID.derive(source: "ab", id: "c") != IngressMessageID.derive(source: "a", id: "bc"))
        #expect(IngressMessageID.derive(source: "a", id: "b").count == 3 + 64)
        // Pinned: a producer's retry across an upgrade must get the id its first attempt got
        // (SHA-256 of "<UTF-8 length of source>:<source><id>", computed independently).
        #expect(IngressMessageID.derive(source: "/shop", id: "e1") == "ce-4cac7864a45f59d4d77de3e25c47c89494983c74af3d4f66469a5946d56acb80")
        #expect(IngressMessageID.derive(source: "/ß/ünïcøde", id: "e-🚀") == "ce-bfd9016ac527cc043299aa339132fa5495649236114b54e3451bfe74903ebfd8")
    }

    @Test("subject templates and NATS filters")
    func templates() throws {
        #expect(try SubjectTemplate("facts.{tenant}.{type}").tenantTokenPosition == 2)
        #expect(try SubjectTemplate("{type}.{tenant}").tenantTokenPosition == nil)
        #expect(throws: (any Error).self) { try SubjectTemplate("facts.{type}") }
        #expect(throws: (any Error).self) { try SubjectTemplate("facts.*.{tenant}") }
        #expect(throws: (any Error).self) { try SubjectTemplate("facts..{tenant}") }
        #expect(SubjectTemplate.matches("facts.acme.a.b", filter: "facts.>"))
        #expect(SubjectTemplate.matches("facts.acme.a", filter: "facts.*.a"))
        #expect(!SubjectTemplate.matches("facts", filter: "facts.>"))
        #expect(!SubjectTemplate.matches("other.acme.a", filter: "facts.>"))
        #expect(!SubjectTemplate.matches("facts.acme.a.b", filter: "facts.*.a"))
    }

    @Test("producer tokens: TOKEN=tenants:types, no wildcard tenant; Bearer lookup")
    func tokens() throws {
        let table = try ProducerTokens.parse("# producers\nshop-token-0123456789=acme:orders.order_placed.v1,orders.order_refunded.v1\nbatch-token-0123456789=acme,globex:*\n",
                                             separator: "\n", setting: "PROJECTION_INGRESS_TOKENS_FILE")
        #expect(try table.authorize("Bearer shop-token-0123456789") == ProducerGrant(tenants: ["acme"], types: ["orders.order_placed.v1", "orders.order_refunded.v1"]))
        #expect(try table.authorize("bearer batch-token-0123456789").types == nil)
        #expect(refusal { _ = try table.authorize(nil) }?.code == .unauthorized)
        #expect(refusal { _ = try table.authorize("Bearer nope-nope-nope-nope") }?.code == .unauthorized)
        for bad in ["short=acme:*", "long-enough-token-1=*:*", "long-enough-token-1=acme", "long-enough-token-1=a.b:*", "long-enough-token-1=acme:"] {
            #expect(throws: (any Error).self, "\(bad)") { try ProducerTokens.parse(bad, separator: ";", setting: "PROJECTION_INGRESS_TOKENS") }
        }
    }
}

extension IngressEvent {
    fileprivate func with(type: String) -> IngressEvent {
        var copy = self
        copy.type = type
        return copy
    }
}
