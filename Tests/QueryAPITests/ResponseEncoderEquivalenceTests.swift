import Columnstore
@testable import QueryAPI
import IngestTestKit
import Testing

/// The query API writes answers from result columns resolved once per answer (`ResponseEncoder.write`,
/// `ProtoResponseEncoder.encode`). Over generated results and methods — columns in any order, repeated
/// and missing names, JSON-named columns, NULLs, values that do not fit their field, every response
/// shape — both codecs must answer exactly as the row-map rules say: a field reads the column of its
/// proto name, else of its JSON name (of equal names the last), NULL is omitted, a misfit is `internal`.
@Suite("Query response mapping: column positions agree with the row-map rules")
struct ResponseEncoderEquivalenceTests {
    static let types: [QueryFieldType] = [.string, .bytes, .bool, .int32, .int64, .uint32, .uint64, .float, .double, .timestamp]

    static func value(_ rng: inout SplitMix64) -> ColumnValue {
        switch Int.random(in: 0..<9, using: &rng) {
        case 0: return .null
        case 1: return .string(["", "a", "q\"uote", "line\nbreak", "\u{2028}", "日本", "-12", "42"].randomElement(using: &rng)!)
        case 2: return .int64([Int64.min, -1, 0, 7, Int64(Int32.max) + 1, Int64.max].randomElement(using: &rng)!)
        case 3: return .uint64([0, 1, UInt64(UInt32.max), UInt64.max].randomElement(using: &rng)!)
        case 4: return .float64([0, -0.0, 1.5, 1e300, .nan, .infinity, -.infinity, 3].randomElement(using: &rng)!)
        case 5: return .bool(Bool.random(using: &rng))
        case 6: return .date(Int32.random(in: -1000...80_000, using: &rng))
        case 7: return .timestamp(Int64.random(in: -10_000_000_000...10_000_000_000_000, using: &rng))
        default: return .int64(Int64.random(in: -100...100, using: &rng))
        }
    }

    /// The rules as they read before column positions: each row a name → value map.
    static func reference(_ result: QueryResult, method: QueryMethodSchema) throws(ConnectError) -> JSONValue {
        func row(_ map: [String: ColumnValue]) throws(ConnectError) -> JSONValue {
            var members: [(key: String, value: JSONValue)] = []
            for field in method.rowFields {
                guard let value = map[field.name] ?? map[field.jsonName], value != .null else { continue }
                guard let json = ResponseEncoder.json(value, for: field.type) else {
                    throw ConnectError(.internal, "misfit")
                }
                members.append((field.jsonName, json))
            }
            return .object(members)
        }
        let rows = result.rows
        switch method.response {
        case .rows(let field):
            var all: [JSONValue] = []
            for map in rows { all.append(try row(map)) }
            return .object([(ResponseEncoder.jsonName(field), .array(all))])
        case .single(let field):
            guard let first = rows.first else { throw ResponseEncoder.notFound(method) }
            return .object([(ResponseEncoder.jsonName(field), try row(first))])
        case .message:
            guard let first = rows.first else { throw ResponseEncoder.notFound(method) }
            return try row(first)
        }
    }

    enum Outcome: Equatable {
        case answer([UInt8])
        case failure(ConnectError.Code)
    }

    static func outcome(_ body: () throws(ConnectError) -> [UInt8]) -> Outcome {
        do { return .answer(try body()) } catch { return .failure(error.code) }
    }

    @Test("JSON and protobuf answers over 3,000 generated results")
    func generated() {
        var rng = SplitMix64(seed: 20_261_205)
        var answered = 0, failed = 0
        for _ in 0..<3_000 {
            let fieldCount = Int.random(in: 0...5, using: &rng)
            let fields = (0..<fieldCount).map { i in
                QueryFieldSchema(name: "f_\(i)", jsonName: "f\(i)", number: i + 1, type: Self.types.randomElement(using: &rng)!)
            }
            let shape: QueryResponseShape = [.rows(field: "daily_rows"), .single(field: "the_row"), .message].randomElement(using: &rng)!
            let method = QueryMethodSchema(
                name: "M", sqlName: "m", requestMessage: "t.Req", requestFields: [], responseMessage: "t.Res", response: shape,
                rowMessage: "t.Row", rowFields: fields)
            // Columns: proto names, JSON names, repeats, strangers, in any order.
            let pool = fields.flatMap { [$0.name, $0.jsonName] } + ["other", "f_9"]
            let columns = (0..<Int.random(in: 0...7, using: &rng)).map { _ in pool.randomElement(using: &rng)! }
            let rowCount = Int.random(in: 0...3, using: &rng)
            let values = (0..<rowCount).map { _ in columns.map { _ in Self.value(&rng) } }
            let result = QueryResult(columns: columns, values: values)

            let expectedJSON = Self.outcome { () throws(ConnectError) -> [UInt8] in
                var out: [UInt8] = []
                JSONWriter.write(try Self.reference(result, method: method), into: &out)
                return out
            }
            let written = Self.outcome { () throws(ConnectError) -> [UInt8] in
                var out: [UInt8] = []
                try ResponseEncoder.write(result, method: method, into: &out)
                return out
            }
            let tree = Self.outcome { () throws(ConnectError) -> [UInt8] in
                var out: [UInt8] = []
                JSONWriter.write(try ResponseEncoder.encode(result, method: method), into: &out)
                return out
            }
            #expect(written == expectedJSON, "columns \(columns), values \(values), shape \(shape)")
            #expect(tree == expectedJSON, "columns \(columns), values \(values), shape \(shape)")

            // Protobuf: the same answer as the rows re-stated as maps, one column per name.
            let maps = result.rows
            let names = Array(Set(maps.flatMap(\.keys))).sorted()
            let restated = QueryResult(columns: names, values: maps.map { map in names.map { map[$0] ?? .null } })
            let proto = Self.outcome { () throws(ConnectError) -> [UInt8] in try ProtoResponseEncoder.encode(result, method: method) }
            let protoRestated = Self.outcome { () throws(ConnectError) -> [UInt8] in try ProtoResponseEncoder.encode(restated, method: method) }
            #expect(proto == protoRestated, "columns \(columns), values \(values)")
            if case .failure = expectedJSON { failed += 1 } else { answered += 1 }
        }
        // The generator reaches both answers and refusals.
        #expect(answered > 500 && failed > 500, "answered \(answered), failed \(failed)")
    }

    @Test func rowsMapKeepsTheLastOfEqualNamesAndMapsConvertBack() {
        let result = QueryResult(columns: ["a", "b", "a"], values: [[.int64(1), .null, .int64(3)]])
        #expect(result.rows == [["a": .int64(3), "b": .null]])
        #expect(result.columnIndex("a", or: "b") == 2)
        #expect(result.columnIndex("c", or: "b") == 1)
        #expect(result.columnIndex("c", or: "d") == nil)
        // From maps: the named columns first, keys they lack after them in name order; gaps are NULL.
        let fromMaps = QueryResult(columns: ["x"], rows: [["x": .int64(1), "z": .bool(true), "y": .string("s")], ["x": .int64(2)]])
        #expect(fromMaps.columns == ["x", "y", "z"])
        #expect(fromMaps.values == [[.int64(1), .string("s"), .bool(true)], [.int64(2), .null, .null]])
    }
}
