import Foundation
import IngestTestKit
import Testing
@testable import ClickHouseHTTP

/// The byte-level paths every ClickHouse answer takes (header trimming, the summary header, query
/// ids) answer exactly as the general ones they stand in for, over generated inputs.
@Suite("ClickHouse response hot paths")
struct ResponseHotPathTests {
    @Test func byteTrimmingAgreesWithCharacterTrimming() {
        let pieces = [" ", "\t", "\r\n", "\n", "\r", "\u{0B}", "\u{0C}", "\u{A0}", "\u{85}", "\u{2028}", "\u{3000}", "\u{301}",
                      "a", "Z", "text/plain", "é", "日本", "\"", ":", "x-clickhouse-summary", "e\u{301}", "🇩🇪", ""]
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            #expect(text.trimmingWhitespace() == text.trimmingWhitespaceByCharacter(), "\(Array(text.unicodeScalars))")
            let sub = text.dropFirst()
            #expect(sub.trimmingWhitespace() == sub.trimmingWhitespaceByCharacter(), "\(Array(sub.unicodeScalars))")
        }
    }

    @Test func summaryHeaderReadsAsJSONSerializationDoes() throws {
        // As ClickHouse sends it, and generated variants the byte path must refuse or read the same.
        let real = #"{"read_rows":"1","read_bytes":"8","written_rows":"0","written_bytes":"0","total_rows_to_read":"1","result_rows":"0","result_bytes":"0","elapsed_ns":"2116617","memory_usage":"1283"}"#
        let parsed = try #require(ClickHouseSummary(headerValue: real))
        #expect(parsed == ClickHouseSummary(foundationParsing: real))
        #expect(ClickHouseSummary.flatFields(real) != nil, "the usual header takes the byte path")
        #expect(parsed.readRows == 1 && parsed.elapsedNanoseconds == 2_116_617)

        let keys = ["read_rows", "elapsed_ns", "a\\\"b", "é", "", "x y"]
        let values = ["\"1\"", "\"\"", "12", "0", "007", "-3", "1.5", "1e3", "\"a\\nb\"", "\"\\u00e9\"", "true", "null", "{}", "[1]", "\"日本\"", "123456789012345678901"]
        var rng = SplitMix64(seed: 11)
        for _ in 0..<5_000 {
            let members = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                "\"\(keys.randomElement(using: &rng)!)\"" + [":", ": ", " :"].randomElement(using: &rng)! + values.randomElement(using: &rng)!
            }
            var text = "{" + members.joined(separator: [",", ", "].randomElement(using: &rng)!) + "}"
            if Int.random(in: 0..<20, using: &rng) == 0 { text += [" ", "x", "}"].randomElement(using: &rng)! }
            #expect(ClickHouseSummary(headerValue: text) == ClickHouseSummary(foundationParsing: text), "\(text)")
        }
    }

    @Test func queryIDsAreVersionFourUUIDs() {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = ClickHouseClient.newQueryID()
            let uuid = UUID(uuidString: id)
            #expect(uuid != nil && uuid!.uuidString.lowercased() == id, "\(id)")
            let hex = Array(id.utf8)
            #expect(hex[14] == UInt8(ascii: "4"), "\(id)")
            #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(hex[19]), "\(id)")
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }
}
