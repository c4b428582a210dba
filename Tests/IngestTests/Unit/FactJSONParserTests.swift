import Columnstore
import Testing
@testable import IngestFacts

@Suite("Fact JSON parser")
struct FactJSONParserTests {
    func parse(_ text: String) throws -> JSONValue {
        try FactJSONParser.parse(Array(text.utf8))
    }

    func isInvalid(_ bytes: [UInt8]) -> Bool {
        (try? FactJSONParser.parse(bytes)) == nil
    }

    @Test("objects keep members in order, with every JSON type")
    func values() throws {
        let value = try parse(#" {"s":"x","n":-1.5e-3,"t":true,"f":false,"z":null,"a":[1,{"b":[]}],"o":{}} "#)
        #expect(value == .object([
            ("s", .string("x")), ("n", .number("-1.5e-3")), ("t", .bool(true)), ("f", .bool(false)), ("z", .null),
            ("a", .array([.number("1"), .object([("b", .array([]))])])), ("o", .object([])),
        ]))
    }

    @Test("escapes and surrogate pairs decode; a lone or reversed surrogate is invalid")
    func escapes() throws {
        #expect(try parse(#"["a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u0000"]"#) == .array([.string("a\"b\\c/d\u{08}\u{0C}\n\r\tAé\u{0}")]))
        #expect(try parse(#"["\ud83d\ude00", "x\uD83D\uDE00y"]"#) == .array([.string("😀"), .string("x😀y")]))
        #expect(try parse(#"{"\u006b":"é😀"}"#) == .object([("k", .string("é😀"))]))
        for bad in [#"["\ud800"]"#, #"["\udc00"]"#, #"["\ud800\u0041"]"#, #"["\ude00\ud83d"]"#, #"["\x"]"#, #"["\u12"]"#, #"["\uZZZZ"]"#] {
            #expect(isInvalid(Array(bad.utf8)), "\(bad)")
        }
    }

    @Test("strings reject raw control characters and invalid UTF-8")
    func strictStrings() {
        #expect(isInvalid(Array("[\"a\tb\"]".utf8)))
        #expect(isInvalid(Array("[\"a\nb\"]".utf8)))
        #expect(isInvalid(Array("[\"a\u{0}b\"]".utf8)))
        for bytes: [UInt8] in [[0xC3, 0x28], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0xFF]] {
            #expect(isInvalid(Array(#"[""#.utf8) + bytes + Array(#""]"#.utf8)), "\(bytes)")
            // The same bytes after an escape take the slower path; still invalid.
            #expect(isInvalid(Array(#"["\n"#.utf8) + bytes + Array(#""]"#.utf8)), "\(bytes)")
        }
    }

    @Test("numbers keep their literal, whatever their magnitude (columns judge it)")
    func numbers() throws {
        #expect(try parse("[0,-0,1E2,1e+2,2.5e-3,18446744073709551616,1e-400]") == .array(
            ["0", "-0", "1E2", "1e+2", "2.5e-3", "18446744073709551616", "1e-400"].map(JSONValue.number)))
        #expect(try parse("[1e324,1e400]") == .array([.number("1e324"), .number("1e400")]))
        for bad in ["[01]", "[-01]", "[.5]", "[1.]", "[1e]", "[1e+]", "[+1]", "[-]", "[0x10]", "[NaN]", "[Infinity]"] {
            #expect(isInvalid(Array(bad.utf8)), "\(bad)")
        }
    }

    @Test("trailing garbage, bare scalars and malformed structure are invalid")
    func invalidDocuments() {
        for bad in [#"{"a":1} x"#, #"{"a":1}}"#, "{}{}", "{} {}", "", " ", "null", "1", #""s""#, "{", "[1 2]", "[,1]",
                    #"{"a" 1}"#, #"{"a":}"#, #"{a:1}"#, "{'a':1}", #"{"a":1} /* c */"#, "{\"a\":1}\u{0C}", "tru", "[True]"] {
            #expect(isInvalid(Array(bad.utf8)), "\(bad)")
        }
    }

    @Test("JSONSerialization's leniencies are kept (trailing commas, BOM, UTF-16); duplicate keys are refused as ambiguous")
    func leniencies() throws {
        #expect(try parse(#"{"a":[1,],}"#) == .object([("a", .array([.number("1")]))]))
        #expect(isInvalid(Array(#"{"k":"x","b":1,"k":"y"}"#.utf8)))
        #expect(isInvalid(Array(#"{"data":{"tenantid":"a"},"tenantid":"t1","tenantid":"t2"}"#.utf8)))
        // Past the scan limit, duplicates are found through an index.
        let many = (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        guard case .object(let members) = try parse("{\(many)}") else { Issue.record("not an object"); return }
        #expect(members.count == 40)
        #expect(isInvalid(Array("{\(many),\"k3\":\"again\"}".utf8)))
        #expect(try FactJSONParser.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .object([]))
        let utf16LE: [UInt8] = [0xFF, 0xFE] + #"{"a":"é"}"#.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let utf16BE: [UInt8] = #"{"a":"é"}"#.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(try FactJSONParser.parse(utf16LE) == .object([("a", .string("é"))]))
        #expect(try FactJSONParser.parse(utf16BE) == .object([("a", .string("é"))]))
    }

    /// RFC 8259 compares member names by code points: composed and decomposed "é" are two names, at any
    /// object size (Swift's `==` called them one; past 15 members even of unequal byte lengths), and in the
    /// envelope too. Before, such a fact was quarantined as not valid JSON, with no field named.
    @Test("canonically equivalent member names are distinct names, in data and in the envelope, at any size")
    func equivalentNames() throws {
        let pairs = [(#"é"#, #"é"#), (#"éé"#, #"éé"#), (#"K"#, "K")]
        for (a, b) in pairs {
            for fillers in [0, 2, 15, 16, 40] {
                let filler = (0..<fillers).map { #""k\#($0)":0,"# }.joined()
                guard case .object(let members) = try parse("{\(filler)\"\(a)\":1,\"\(b)\":2}") else { Issue.record("not an object"); continue }
                #expect(members.count == fillers + 2, "\(a) \(b) with \(fillers)")
                #expect(!members[fillers].key.hasSameBytes(as: members[fillers + 1].key))
                // A true duplicate is still refused.
                #expect(isInvalid(Array("{\(filler)\"\(a)\":1,\"\(a)\":2}".utf8)))
            }
            let others = (0..<20).map { #""x\#($0)":0,"# }.joined()
            for extra in ["", others] {
                let envelope = #"{"specversion":"1.0","id":"e","source":"/s","type":"t",\#(extra)"# + #""\#(a)":1,"\#(b)":2,"data":{}}"#
                #expect(throws: Never.self, "envelope \(a) \(b)") { _ = try FactDecoder(maxFactBytes: 1 << 20).decode(body: Array(envelope.utf8)) { _ in nil } }
            }
        }
    }

    @Test("nesting is limited to 512 containers, without exhausting the stack")
    func depth() throws {
        func nested(_ depth: Int) -> [UInt8] { Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8) }
        #expect(!isInvalid(nested(512)))
        #expect(isInvalid(nested(513)))
        #expect(isInvalid(nested(100_000)))
        #expect(isInvalid(Array(String(repeating: "[", count: 100_000).utf8)))
    }
}
