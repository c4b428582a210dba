/// One result row; values are Postgres text format, `nil` for NULL (or an unknown column).
public struct PostgresRow: Sendable {
    /// The values in column order.
    public let values: [String?]
    private let columnIndex: [String: Int]

    init(values: [String?], columnIndex: [String: Int]) {
        self.values = values
        self.columnIndex = columnIndex
    }

    /// Whether the result has a column with this name.
    public func contains(column: String) -> Bool { columnIndex[column] != nil }

    /// The value of the named column.
    public subscript(column: String) -> String? {
        columnIndex[column].flatMap { values[$0] }
    }

    /// The value at a column position.
    public subscript(index: Int) -> String? { values[index] }

    /// The named column as an integer, or nil if NULL, missing or not an integer.
    public func int64(_ column: String) -> Int64? { self[column].flatMap { Int64($0) } }
    /// The column at `index` as an integer.
    public func int64(at index: Int) -> Int64? { self[index].flatMap { Int64($0) } }

    /// The named column as a Double (also parses NaN / Infinity).
    public func double(_ column: String) -> Double? { self[column].flatMap(Self.parseDouble) }
    /// The column at `index` as a Double.
    public func double(at index: Int) -> Double? { self[index].flatMap(Self.parseDouble) }

    /// The named column as a Bool (`t` / `f`).
    public func bool(_ column: String) -> Bool? { self[column].flatMap(Self.parseBool) }
    /// The column at `index` as a Bool.
    public func bool(at index: Int) -> Bool? { self[index].flatMap(Self.parseBool) }

    /// The named bytea column (hex output format) as bytes.
    public func bytes(_ column: String) -> [UInt8]? { self[column].flatMap(Self.parseBytea) }
    /// The bytea column at `index` as bytes.
    public func bytes(at index: Int) -> [UInt8]? { self[index].flatMap(Self.parseBytea) }

    static func parseDouble(_ text: String) -> Double? {
        switch text {
        case "NaN": .nan
        case "Infinity": .infinity
        case "-Infinity": -.infinity
        default: Double(text)
        }
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "t", "true": true
        case "f", "false": false
        default: nil
        }
    }

    static func parseBytea(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
            return nil
        }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity((utf8.count - 2) / 2)
        var i = 2
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }
}
