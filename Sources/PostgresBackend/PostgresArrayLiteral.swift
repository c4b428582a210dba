import Columnstore
/// Builds Postgres array literals (`{"a","b",NULL}`) so a whole batch column travels as ONE bound
/// parameter and is expanded with `unnest($n::type[])`: no SQL is ever built from fact data.
struct PostgresArrayLiteral {
    // Bytes, made a String once: appending to a String element by element was half of the Postgres
    // batch encoding (`projection-decode-bench postgres`, callgrind).
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var count = 0

    init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity + 2)
    }

    mutating func appendNull() {
        separator()
        bytes.append(contentsOf: "NULL".utf8)
    }

    /// Appends an element, double-quoted with `"` and `\` escaped (array literal syntax).
    mutating func append(_ element: String) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        var element = element
        element.withUTF8 { utf8 in
            // Whole runs copied; a `"` or `\` ends a run and gets its backslash.
            var runStart = 0
            for index in 0..<utf8.count where utf8[index] == UInt8(ascii: "\"") || utf8[index] == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                bytes.append(UInt8(ascii: "\\"))
                runStart = index
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends an element that needs no quoting (numbers).
    mutating func appendBare(_ element: String) {
        separator()
        bytes.append(contentsOf: element.utf8)
    }

    /// Appends an integer's decimal digits, as `String(value)` spells them, straight into the literal
    /// (a `String` per number was ~280 instructions a fact in `projection-decode-bench postgres`).
    mutating func appendInteger(_ magnitude: UInt64, negative: Bool) {
        separator()
        if negative { bytes.append(UInt8(ascii: "-")) }
        // UInt64.max has 20 digits; written from the right into a fixed buffer.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = magnitude
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    mutating func append(_ value: ColumnValue) {
        switch value {
        case .null: appendNull()
        case .string(let s): append(s)
        case .int64(let v): appendInteger(v.magnitude, negative: v < 0)
        case .uint64(let v): appendInteger(v, negative: false)
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
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        count += 1
    }

    var literal: String {
        var closed = bytes
        closed.append(UInt8(ascii: "}"))
        return String(decoding: closed, as: UTF8.self)
    }
}
