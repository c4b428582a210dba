import Columnstore
import Testing
@testable import Ingest

/// The CloudEvents HTTP binding as the ingress reads it: modes by Content-Type and `ce-*` headers,
/// and a precise 4xx naming the attribute for everything it refuses.
@Suite("Ingress request parsing")
struct IngressRequestParserTests {
    let parser = IngressRequestParser(maxBatchEvents: 3)

    func structured(_ json: String) throws(IngressError) -> [IngressEvent] {
        try parser.parse(contentType: "application/cloudevents+json; charset=utf-8", ceHeaders: [], body: Array(json.utf8)).events
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

    let valid = #"{"specversion":"1.0","id":"e1","source":"/shop","type":"orders.order_placed.v1","time":"2026-11-01T10:00:00.5+01:00","tenantid":"acme","seq":7,"data":{"order_id":"o1","amount_cents":100}}"#

    @Test("a structured event keeps its attributes, extensions and data")
    func structuredEvent() throws {
        let event = try #require(try structured(valid).first)
        #expect(event.id == "e1" && event.source == "/shop" && event.type == "orders.order_placed.v1" && event.claimedTenant == "acme")
        #expect(event.attributes.map(\.key) == ["specversion", "id", "source", "type", "time", "tenantid", "seq"])
        #expect(event.data == .object([("order_id", .string("o1")), ("amount_cents", .number("100"))]))
    }

    @Test("each broken rule names its attribute", arguments: [
        (#"{"id":"e","source":"s","type":"t"}"#, "specversion", 400),
        (#"{"specversion":"0.3","id":"e","source":"s","type":"t"}"#, "specversion", 400),
        (#"{"specversion":"1.0","source":"s","type":"t"}"#, "id", 400),
        (#"{"specversion":"1.0","id":"","source":"s","type":"t"}"#, "id", 400),
        (#"{"specversion":"1.0","id":"e","type":"t"}"#, "source", 400),
        (#"{"specversion":"1.0","id":"e","source":"s"}"#, "type", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"a.*"}"#, "type", 400),
        (#"{"specversion":"1.0","id":7,"source":"s","type":"t"}"#, "id", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","time":"yesterday"}"#, "time", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","time":"2026-13-01T00:00:00Z"}"#, "time", 400),
        // Well-formed but not a real date: the consumer would quarantine it after a 200.
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","time":"2026-02-31T00:00:00Z"}"#, "time", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","time":"2025-02-29T00:00:00Z"}"#, "time", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","datacontenttype":"text/plain"}"#, "datacontenttype", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","datacontenttype":"/+json"}"#, "datacontenttype", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","datacontenttype":"foo/+json"}"#, "datacontenttype", 400),
        // CloudEvents String: no control characters or noncharacters, in any string attribute.
        (#"{"specversion":"1.0","id":"a\u0000b","source":"s","type":"t"}"#, "id", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","subject":"line1\nline2"}"#, "subject", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","note":"x\u0085y"}"#, "note", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","note":"x\uFDD0"}"#, "note", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","note":"x\uFFFF"}"#, "note", 400),
        // source a URI-reference, dataschema an absolute URI, subject non-empty.
        (#"{"specversion":"1.0","id":"e","source":"not a uri","type":"t"}"#, "source", 400),
        (#"{"specversion":"1.0","id":"e","source":"/a%zz","type":"t"}"#, "source", 400),
        (#"{"specversion":"1.0","id":"e","source":"1x:y","type":"t"}"#, "source", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","dataschema":"schema.json"}"#, "dataschema", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","subject":""}"#, "subject", 400),
        // Extension numbers are CloudEvents Integers.
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","seq":1.5}"#, "seq", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","seq":1e3}"#, "seq", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","seq":2147483648}"#, "seq", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","seq":-0.0}"#, "seq", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","data":[1]}"#, "data", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","data_base64":"AA=="}"#, "data_base64", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","Bad":"x"}"#, "Bad", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","ext":{"a":1}}"#, "ext", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","tenantid":"a.b"}"#, "tenantid", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","payloadhash":"abc"}"#, "payloadhash", 400),
        (#"{"specversion":"1.0","id":"e","source":"s","type":"t","data":{"a":1},"payloadhash":"0000000000000000000000000000000000000000000000000000000000000000"}"#, "payloadhash", 400),
        (#"{"specversion":"1.0","id":"e""#, "body", 400),
        (#"[]"#, "body", 400),
    ])
    func refusals(json: String, attribute: String, status: Int) {
        let error = refusal { _ = try structured(json) }
        #expect(error?.attribute == attribute)
        #expect(error?.code.httpStatus == status)
    }

    @Test("a batch is an array of structured events; too many is 413, a bad one is named by position")
    func batch() throws {
        let body = "[\(valid),\(valid.replacingOccurrences(of: "\"e1\"", with: "\"e2\""))]"
        let parsed = try parser.parse(contentType: "application/cloudevents-batch+json", ceHeaders: [], body: Array(body.utf8))
        #expect(parsed.mode == .batch && parsed.events.map(\.id) == ["e1", "e2"])
        let tooMany = refusal { _ = try parser.parse(contentType: "application/cloudevents-batch+json", ceHeaders: [], body: Array("[\(valid),\(valid),\(valid),\(valid)]".utf8)) }
        #expect(tooMany?.code == .tooLarge)
        let bad = refusal { _ = try parser.parse(contentType: "application/cloudevents-batch+json", ceHeaders: [], body: Array("[\(valid),{\"specversion\":\"1.0\"}]".utf8)) }
        #expect(bad?.index == 1 && bad?.attribute == "id" && bad?.code == .invalidEvent)
        let notArray = refusal { _ = try parser.parse(contentType: "application/cloudevents-batch+json", ceHeaders: [], body: Array(valid.utf8)) }
        #expect(notArray?.attribute == "body")
    }

    @Test("an element-count bomb is 413 at the element one over the batch cap, and values are bounded by the body")
    func elementBombs() throws {
        let batch = "application/cloudevents-batch+json"
        // 1 MiB of `[0,0,…]` and of `[{"a":0},…]`: refused as too many events, not parsed whole.
        let zeros = Array(("[" + Array(repeating: "0", count: 1 << 19).joined(separator: ",") + "]").utf8)
        let objects = Array(("[" + Array(repeating: "{\"a\":0}", count: 1 << 17).joined(separator: ",") + "]").utf8)
        for body in [zeros, objects] {
            let error = refusal { _ = try parser.parse(contentType: batch, ceHeaders: [], body: body) }
            #expect(error?.code == .tooLarge && error?.attribute == "body")
        }
        // The same bomb as one event's data: over the value bound (1024 + body bytes / 4), 413 too.
        let data = Array("{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"/s\",\"type\":\"t.v1\",\"data\":{\"a\":\(String(decoding: zeros, as: UTF8.self))}}".utf8)
        let error = refusal { _ = try parser.parse(contentType: "application/cloudevents+json", ceHeaders: [], body: data) }
        #expect(error?.code == .tooLarge && error?.attribute == "body")
        let binary = refusal {
            _ = try parser.parse(contentType: "application/json", ceHeaders: [("ce-specversion", "1.0"), ("ce-id", "e"), ("ce-source", "/s"), ("ce-type", "t.v1")],
                                 body: Array("{\"a\":\(String(decoding: zeros, as: UTF8.self))}".utf8))
        }
        #expect(binary?.code == .tooLarge && binary?.attribute == "data")
    }

    @Test("JSONParser limits: top-level elements counted before each is built, values at any depth")
    func parserLimits() throws {
        #expect(try JSONParser.parse(Array("[1,2,3]".utf8), limits: .init(maxTopLevelElements: 3)) == .array([.number("1"), .number("2"), .number("3")]))
        #expect(throws: JSONParseError(offset: 7, reason: "more than 3 elements", limit: .topLevelElements)) {
            try JSONParser.parse(Array("[1,2,3,4]".utf8), limits: .init(maxTopLevelElements: 3))
        }
        // Nested arrays are not top-level elements.
        #expect(throws: Never.self) { try JSONParser.parse(Array("[[1,2,3,4]]".utf8), limits: .init(maxTopLevelElements: 1)) }
        #expect(throws: Never.self) { try JSONParser.parse(Array("{\"a\":[1,2]}".utf8), limits: .init(maxValues: 4)) }
        let tooMany = #expect(throws: JSONParseError.self) { try JSONParser.parse(Array("{\"a\":[1,2,3]}".utf8), limits: .init(maxValues: 4)) }
        #expect(tooMany?.limit == .values)
        let invalid = #expect(throws: JSONParseError.self) { try JSONParser.parse(Array("[1,".utf8), limits: .init(maxValues: 4)) }
        #expect(invalid?.limit == nil)
    }

    @Test("binary mode: ce-* headers, percent-decoded; Content-Type is datacontenttype; the body is data")
    func binary() throws {
        let headers: [(name: String, value: String)] = [("ce-specversion", "1.0"), ("ce-id", "b%C3%B61"), ("ce-source", "/shop"),
                                                        ("ce-type", "orders.order_placed.v1"), ("ce-tenantid", "acme"), ("ce-time", "2026-11-01T10:00:00Z")]
        let parsed = try parser.parse(contentType: "application/json", ceHeaders: headers, body: Array(#"{"order_id":"o1"}"#.utf8))
        let event = try #require(parsed.events.first)
        #expect(parsed.mode == .binary && event.id == "bö1" && event.claimedTenant == "acme")
        #expect(event.attributes.contains { $0.key == "datacontenttype" && $0.value == .string("application/json") })
        let text = refusal { _ = try parser.parse(contentType: "text/plain", ceHeaders: headers, body: Array("hi".utf8)) }
        #expect(text?.code == .unsupportedMediaType)
        let badJSON = refusal { _ = try parser.parse(contentType: "application/json", ceHeaders: headers, body: Array("{".utf8)) }
        #expect(badJSON?.attribute == "data" && badJSON?.code == .invalidEvent)
        let badEscape = refusal { _ = try parser.parse(contentType: nil, ceHeaders: headers + [("ce-x", "%zz")], body: []) }
        #expect(badEscape?.attribute == "x")
    }

    @Test("binary mode undoes an RFC 7230 quoted-string before percent-decoding (HTTP binding 3.1.3.2)")
    func binaryQuoted() throws {
        let base: [(name: String, value: String)] = [("ce-specversion", "1.0"), ("ce-type", "orders.order_placed.v1"), ("ce-tenantid", "acme")]
        let body = Array(#"{"order_id":"o1"}"#.utf8)
        let quoted = try parser.parse(contentType: "application/json", ceHeaders: base + [("ce-id", #""o-1""#), ("ce-source", #""/shop""#),
                                                                                          ("ce-subject", #""a \"b\" %C3%A9""#)], body: body)
        let event = try #require(quoted.events.first)
        let plain = try #require(try parser.parse(contentType: "application/json", ceHeaders: base + [("ce-id", "o-1"), ("ce-source", "/shop")],
                                                  body: body).events.first)
        // The same event as unquoted headers send it, so its message id (and duplicate check) is the same.
        #expect(event.id == "o-1" && event.id == plain.id && event.source == plain.source)
        #expect(event.attributes.contains { $0.key == "subject" && $0.value == .string(#"a "b" é"#) })
        for bad in [#""o-1"#, #""a"b""#, #""a\""#, "\""] {
            let refused = refusal { _ = try parser.parse(contentType: "application/json", ceHeaders: base + [("ce-id", bad), ("ce-source", "/shop")], body: body) }
            #expect(refused?.attribute == "id" && refused?.code == .invalidEvent, "\(bad)")
        }
        #expect(IngressRequestParser.unquoted("plain") == "plain" && IngressRequestParser.unquoted(#""""#) == "")
    }

    @Test("what the CloudEvents rules allow is taken: URI-references, text/json, 32-bit integers, printable Unicode")
    func accepted() throws {
        let accepted = [
            #"{"specversion":"1.0","id":"e","source":"urn:shop:1","type":"t","seq":-2147483648,"big":2147483647,"zero":0}"#,
            #"{"specversion":"1.0","id":"é-🚀","source":"https://example.com/shop?x=1#f","type":"t","subject":"ß","dataschema":"https://example.com/s.json"}"#,
            #"{"specversion":"1.0","id":"e","source":"/a%20b","type":"t","datacontenttype":"text/json"}"#,
            #"{"specversion":"1.0","id":"e","source":"shop","type":"t","datacontenttype":"application/vnd.acme+json; charset=utf-8"}"#,
        ]
        for json in accepted {
            #expect(refusal { _ = try structured(json) } == nil, "\(json)")
        }
    }

    @Test("binary mode refuses ce-data (the body is the data), a repeated ce- header, and ce-datacontenttype (Content-Type carries it)")
    func binaryRefusals() throws {
        let headers: [(name: String, value: String)] = [("ce-specversion", "1.0"), ("ce-id", "b1"), ("ce-source", "/shop"),
                                                        ("ce-type", "orders.order_placed.v1"), ("ce-tenantid", "acme")]
        let body = Array(#"{"order_id":"o1"}"#.utf8)
        // Before: `ce-data: hello` became a `data` attribute beside the body's data (two `data` members).
        let data = refusal { _ = try parser.parse(contentType: "application/json", ceHeaders: headers + [("ce-data", "hello")], body: body) }
        #expect(data?.attribute == "data" && data?.code == .invalidEvent)
        let dataNoBody = refusal { _ = try parser.parse(contentType: nil, ceHeaders: headers + [("CE-Data", "hello")], body: []) }
        #expect(dataNoBody?.attribute == "data")
        // Before: the first copy counted silently.
        let repeated = refusal { _ = try parser.parse(contentType: "application/json", ceHeaders: headers + [("Ce-Id", "b2")], body: body) }
        #expect(repeated?.attribute == "id" && repeated?.code == .invalidEvent)
        // Before: ce-datacontenttype won over Content-Type.
        let type = refusal { _ = try parser.parse(contentType: "application/json", ceHeaders: headers + [("ce-datacontenttype", "application/json")], body: body) }
        #expect(type?.attribute == "datacontenttype" && type?.code == .invalidEvent)
        // Unchanged: the one accepted spelling.
        #expect(try parser.parse(contentType: "application/json", ceHeaders: headers, body: body).events.count == 1)
    }

    @Test("anything else is 415", arguments: ["application/json", "text/plain", nil])
    func unsupported(contentType: String?) {
        let error = refusal { _ = try parser.parse(contentType: contentType, ceHeaders: [], body: Array(valid.utf8)) }
        #expect(error?.code == .unsupportedMediaType)
        #expect(error?.code.httpStatus == 415)
    }

    @Test("RFC 3339 timestamps")
    func timestamps() {
        for ok in ["2026-11-01T10:00:00Z", "2026-11-01t10:00:00.123456z", "2026-11-01T10:00:00-05:30", "2026-11-01T10:00:00.1+00:00"] {
            #expect(IngressEvent.isRFC3339(ok), "\(ok)")
        }
        for bad in ["2026-11-01", "2026-11-01T10:00:00", "2026-11-01T25:00:00Z", "2026-11-01T10:00:00.Z", "2026-11-01T10:00:00+0100", "2026-11-01T10:00:00Zx"] {
            #expect(!IngressEvent.isRFC3339(bad), "\(bad)")
        }
    }
}
