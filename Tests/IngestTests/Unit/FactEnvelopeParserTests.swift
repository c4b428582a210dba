import Columnstore
import Testing
@testable import IngestFacts

/// `FactJSONParser.parseEnvelope` (the structured decoder's fast path) must accept and refuse exactly
/// what the general parser does, and find the same attributes: it is compared with `parse(_:)`
/// followed by sorting the members, over edge cases and over deterministic mutations of real facts.
@Suite("Fact envelope parser")
struct FactEnvelopeParserTests {
    enum Verdict: Equatable, CustomStringConvertible {
        case invalid
        case notAnObject
        case attributes([String: JSONValue])

        var description: String {
            switch self {
            case .invalid: "invalid"
            case .notAnObject: "not an object"
            case .attributes(let found): "\(found.sorted { $0.key < $1.key })"
            }
        }
    }

    static let names = ["specversion", "id", "type", "source", "time", "tenantid", "subject", "traceparent", "correlationid", "data"]

    /// The reference: the general parser, then the attributes picked from its members by name.
    func reference(_ body: [UInt8]) -> Verdict {
        guard let document = try? FactJSONParser.parse(body) else { return .invalid }
        guard case .object(let members) = document else { return .notAnObject }
        var found: [String: JSONValue] = [:]
        for member in members where Self.names.contains(member.key) { found[member.key] = member.value }
        return .attributes(found)
    }

    func fastPath(_ body: [UInt8]) -> Verdict {
        let result: Result<FactJSONParser.Envelope, JSONParseError> = body.withUnsafeBufferPointer { buffer in
            do throws(JSONParseError) {
                return .success(try FactJSONParser.parseEnvelope(buffer))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .failure: return .invalid
        case .success(.notAnObject): return .notAnObject
        case .success(.attributes(let attributes)):
            var found: [String: JSONValue] = [:]
            let values: [(String, JSONValue?)] = [
                ("specversion", attributes.specversion), ("id", attributes.id), ("type", attributes.type),
                ("source", attributes.source), ("time", attributes.time), ("tenantid", attributes.tenantid),
                ("subject", attributes.subject), ("traceparent", attributes.traceparent),
                ("correlationid", attributes.correlationid), ("data", attributes.data),
            ]
            for (name, value) in values { if let value { found[name] = value } }
            return .attributes(found)
        }
    }

    static let fact = #"{"specversion":"1.0","id":"placed-17","source":"/bench","type":"orders.order_placed.v1","time":"2026-03-05T10:27:27Z","datacontenttype":"application/json","tenantid":"t8","data":{"order_id":"o-17","customer_id":"c-17","amount_cents":134723,"currency":"EUR","placed_at":"2026-03-05T10:27:27Z"}}"#

    @Test("edge cases: escaped and duplicate keys, nulls, nesting, encodings, trailing data", arguments: [
        fact,
        #"{"\u0069d":"escaped key","type":"t"}"#,
        #"{"id":"a","\u0069d":"b"}"#,
        #"{"id":"a","id":"b"}"#,
        #"{"id":null,"id":"b"}"#,
        #"{"x":1,"x":2}"#,
        #"{"x":1,"\u0078":2}"#,
        #"{"é":1,"é":2}"#,
        #"{"é":1,"e\u0301":2}"#,
        #"{"data":{"a":1,"a":2}}"#,
        #"{"data":{"a":[1,2,{"b":null}]},"subject":"s\"q\\u"}"#,
        #"{"idx":"not id","i":"not id","specversionx":1,"tim":2}"#,
        #"{"id":"a",}"#,
        #"{"id":"a",,}"#,
        #"{,}"#,
        "{}",
        " { } ",
        "{} x",
        #"{"id":"a"}}"#,
        "[1,2]",
        "[1,2",
        "[]",
        "",
        "   ",
        "null",
        #""id""#,
        "{\"id\":\"a\u{0}\"}",
        "{\"i\u{1}d\":\"a\"}",
        #"{"id":"\ud83d\ude00","type":"\ud800"}"#,
        #"{"id":"😀 é","type":"x"}"#,
        #"{"id":-0,"type":1e400,"source":18446744073709551616,"time":-1.5e-3}"#,
        #"{"id":01}"#,
        #"{"id" "a"}"#,
        #"{"id":"a" "type":"b"}"#,
        #"{id:"a"}"#,
        #"{"id":tru}"#,
        #"{"id":"a","data":"#,
        #"{"data":"# + String(repeating: "[", count: 511) + String(repeating: "]", count: 511) + "}",
        #"{"data":"# + String(repeating: "[", count: 512) + String(repeating: "]", count: 512) + "}",
    ])
    func edgeCases(body: String) {
        let bytes = Array(body.utf8)
        #expect(fastPath(bytes) == reference(bytes), "\(body)")
    }

    @Test("bodies with a BOM, in UTF-16 and UTF-32, or with invalid UTF-8 in keys")
    func encodings() {
        let text = #"{"id":"é","type":"x","k":"v"}"#
        let bodies: [[UInt8]] = [
            [0xEF, 0xBB, 0xBF] + Array(text.utf8),
            [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
            text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] },
            text.unicodeScalars.flatMap { s in [0, 0, UInt8(s.value >> 8), UInt8(s.value & 0xFF)] },
            Array(#"{"i"#.utf8) + [0xFF] + Array(#"d":"a"}"#.utf8),
            Array(#"{"id":"a","k"#.utf8) + [0xC3, 0x28] + Array(#"":1}"#.utf8),
            Array(#"{"id":"a","k"#.utf8) + [0xC3, 0xA9] + Array(#"":1,"k"#.utf8) + [0xC3, 0xA9] + Array(#"":2}"#.utf8),
            // Other members' string values are validated without being built.
            Array(#"{"id":"a","datacontenttype":"application/"#.utf8) + [0xFF] + Array(#"json"}"#.utf8),
            Array(#"{"id":"a","datacontenttype":"application/"#.utf8) + [0xC3, 0xA9] + Array(#"json"}"#.utf8),
            Array(#"{"id":"a","datacontenttype":"application/"#.utf8) + [0x1F] + Array(#"json"}"#.utf8),
            Array(#"{"id":"a","datacontenttype":"application/\x"}"#.utf8),
            Array(#"{"id":"a","datacontenttype":"application/\u0000\ud83d\ude00"}"#.utf8),
            Array(#"{"id":"a","datacontenttype":"application/\ud83d"}"#.utf8),
            Array(#"{"id":"a","datacontenttype":"application/json"#.utf8),
            Array(#"{"id":"a","datacontenttype":"application/json""#.utf8),
            Array(#"{"id":"a","datacontenttype":"a"b"}"#.utf8),
            Array(#"{"id":"a","datacontenttype":"","datacontenttype":"x"}"#.utf8),
        ]
        for body in bodies {
            #expect(fastPath(body) == reference(body), "\(body)")
        }
    }

    @Test("many other members: duplicates are still found past the scan limit")
    func manyMembers() {
        let members = (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        for body in ["{\(members),\"id\":\"a\"}", "{\(members),\"k39\":1}", "{\(members),\"k0\":1}", "{\(members),\"k\\u0030\":1}"] {
            #expect(fastPath(Array(body.utf8)) == reference(Array(body.utf8)), "\(body)")
        }
    }

    @Test("deterministic mutations of a real fact get the same verdict from both parsers")
    func mutations() {
        let seed = Array(Self.fact.utf8)
        let alphabet = Array(#"{}[]":,\ u0aZ-+.eE1"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xED, 0xFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var outcomes: [String: Int] = [:]
        for _ in 0..<4_000 {
            var body = seed
            for _ in 0..<(1 + next(3)) {
                let position = next(body.count)
                switch next(3) {
                case 0: body[position] = alphabet[next(alphabet.count)]
                case 1: body.insert(alphabet[next(alphabet.count)], at: position)
                default: body.remove(at: position)
                }
            }
            let expected = reference(body)
            #expect(fastPath(body) == expected, "\(String(decoding: body, as: UTF8.self))")
            let kind: String
            switch expected {
            case .invalid: kind = "invalid"
            case .notAnObject: kind = "not an object"
            case .attributes: kind = "object"
            }
            outcomes[kind, default: 0] += 1
        }
        // The mutations reach both verdicts, so the comparison is not only of rejections.
        #expect(outcomes["invalid", default: 0] > 100)
        #expect(outcomes["object", default: 0] > 100)
    }
}
