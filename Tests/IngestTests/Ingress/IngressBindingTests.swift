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
        #expect(message.messageID == IngressMessageID.derive(tenant: "acme", type: "orders.order_placed.v1", source: "/shop", id: "e1"))
        let envelope = try FactDecoder(maxFactBytes: 1 << 20).decode(body: message.data) { _ in nil }
        #expect(envelope.id == "e1" && envelope.source == "/shop" && envelope.type == "orders.order_placed.v1" && envelope.tenant == "acme")
        #expect(envelope.data == .object([("order_id", .string("o1"))]))
        // The subject's tenant token agrees with the payload (PROJECTION_TENANT_SUBJECT_TOKEN=2).
        #expect(try TenantBinding(token: 2).tenant(envelope.tenant, subject: message.subject) == "acme")
    }

    @Test("a grant's tenant matches by bytes: the decomposed form of a granted composed tenant is another tenant (403)")
    func tenantBytes() throws {
        let grant = ProducerGrant(tenants: ["caf\u{E9}"], types: nil)
        #expect(try binding.message(for: try event(#","tenantid":"caf\u00e9""#), grant: grant).subject.hasPrefix("facts.caf\u{E9}."))
        #expect(refusal { _ = try binding.message(for: try event(#","tenantid":"cafe\u0301""#), grant: grant) }?.code == .forbidden)
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

    @Test("message ids: the same tenant, type, source and id give the same id; nothing can be shifted between them")
    func messageIDs() throws {
        func id(_ tenant: String, _ type: String, _ source: String, _ id: String) -> String {
            IngressMessageID.derive(tenant: tenant, type: type, source: source, id: id)
        }
        #expect(id("t", "x", "a", "b") == id("t", "x", "a", "b"))
        #expect(id("t", "x", "ab", "c") != id("t", "x", "a", "bc"))
        #expect(id("t", "xa", "b", "c") != id("t", "x", "ab", "c"))
        #expect(id("tx", "a", "b", "c") != id("t", "xa", "b", "c"))
        #expect(id("t", "x", "a", "b").count == 3 + 64)
        // Pinned (SHA-256 of "<len>:<tenant><len>:<type><len>:<source><id>", lengths in UTF-8 bytes,
        // computed independently): a producer's retry across an upgrade must get its first attempt's id.
        #expect(id("acme", "orders.order_placed.v1", "/shop", "e1") == "ce-c9592c4970ad5550a3783ac43b30690aa82a3fb91488377817b2e45e792cb787")
        #expect(id("ß", "t.v1", "/ß/ünïcøde", "e-🚀") == "ce-66d37e802e018e1a87d9b6dd2599632073f83d91549ae29d30c9b43db70bdd65")
    }

    @Test("two tenants' producers sending the same source and id get different message ids (neither is the other's duplicate)")
    func tenantsDoNotShareMessageIDs() throws {
        let both = ProducerGrant(tenants: ["acme", "globex"], types: nil)
        let acmeEvent = try binding.message(for: try event(#","tenantid":"acme""#), grant: both)
        let globexEvent = try binding.message(for: try event(#","tenantid":"globex""#), grant: both)
        #expect(acmeEvent.messageID != globexEvent.messageID)
        #expect(globexEvent.messageID == "ce-8f775f73a992880292c2d1edd816fb312b6f992cdcab77fa45915dfca820e5ca")
        // The same event again (a retry) keeps its id.
        #expect(try binding.message(for: try event(#","tenantid":"acme""#), grant: both).messageID == acmeEvent.messageID)
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
        #expect(try table.authorize("Bearer  \tbatch-token-0123456789 \t").types == nil)
        #expect(refusal { _ = try table.authorize("Bearer batch-token-01234567") }?.code == .unauthorized)
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
