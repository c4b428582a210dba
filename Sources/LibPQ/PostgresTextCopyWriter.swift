/// Encodes rows in Postgres' text COPY format (`COPY … FROM STDIN`, the default format); no I/O.
///
/// Fields are tab-separated and rows newline-terminated; NULL is `\N`; backslash, tab, newline
/// and carriage return inside values are escaped. Values use Postgres' text input syntax.
public struct PostgresTextCopyWriter: Sendable {
    /// The encoded bytes not yet taken.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Appends one row; `nil` fields are NULL.
    public mutating func appendRow(_ fields: [String?]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: "\t")) }
            guard let field else {
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "N")]
                continue
            }
            for byte in field.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case UInt8(ascii: "\t"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case UInt8(ascii: "\r"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Returns the bytes encoded so far and forgets them.
    public mutating func takeBytes() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }
}
