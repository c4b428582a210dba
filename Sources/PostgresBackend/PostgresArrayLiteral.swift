import Columnstore
/// Builds Postgres array literals (`{"a","b",NULL}`) so a whole batch column travels as ONE bound
/// parameter and is expanded with `unnest($n::type[])`: no SQL is ever built from fact data.
struct PostgresArrayLiteral {
    private var text = "{"
    private var count = 0

    init(reservingCapacity capacity: Int = 0) {
        text.reserveCapacity(capacity)
    }

    mutating func appendNull() {
        separator()
        text += "NULL"
    }

    /// Appends an element, double-quoted with `"` and `\` escaped (array literal syntax).
    mutating func append(_ element: String) {
        separator()
        text.append("\"")
        // Per-scalar appends dominated the Postgres batch encoding: copy whole runs, escape rarely.
        if element.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            var escaped: [UInt8] = []
            escaped.reserveCapacity(element.utf8.count + 8)
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { escaped.append(UInt8(ascii: "\\")) }
                escaped.append(byte)
            }
            text += String(decoding: escaped, as: UTF8.self)
        } else {
            text += element
        }
        text.append("\"")
    }

    /// Appends an element that needs no quoting (numbers).
    mutating func appendBare(_ element: String) {
        separator()
        text += element
    }

    mutating func append(_ value: ColumnValue) {
        switch value {
        case .null: appendNull()
        case .string(let s): append(s)
        case .int64(let v): appendBare(String(v))
        case .uint64(let v): appendBare(String(v))
        case .float64(let v): append(v.isFinite ? String(v) : (v.isNaN ? "NaN" : (v > 0 ? "Infinity" : "-Infinity")))
        case .bool(let v): appendBare(v ? "t" : "f")
        case .date(let days): append(RFC3339.formatDate(days: days))
        case .timestamp(let ms): append(RFC3339.format(milliseconds: ms))
        }
    }

    /// Appends bytes as a bytea hex literal element.
    mutating func append(bytes: [UInt8]) {
        let hex: [Character] = Array("0123456789abcdef")
        var s = "\\x"
        s.reserveCapacity(2 + bytes.count * 2)
        for b in bytes {
            s.append(hex[Int(b >> 4)])
            s.append(hex[Int(b & 0xF)])
        }
        append(s)
    }

    private mutating func separator() {
        if count > 0 { text.append(",") }
        count += 1
    }

    var literal: String { text + "}" }
}
