/// Decimal values in query answers, decoded the same way from both stores so they render the same
/// JSON: a value with a fraction stays its exact text with the column's scale (`"12.30"`, never a
/// double); a whole value (scale 0, or an integer sum) is an integer.
extension DecimalText {
    /// The value of plain decimal text `-?digits[.digits]`, padded with zeros to `scale` fraction
    /// digits when given (ClickHouse may drop trailing zeros); nil when `text` is not plain decimal.
    package static func columnValue(_ text: String, scale: Int? = nil) -> ColumnValue? {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty else { return nil }
        if let scale, fraction.count < scale {
            fraction += String(repeating: "0", count: scale - fraction.count)
        }
        guard fraction.isEmpty else {
            return .string((negative ? "-" : "") + whole + "." + fraction)
        }
        let integer = (negative ? "-" : "") + whole
        if let value = Int64(integer) { return .int64(value) }
        if let value = UInt64(integer) { return .uint64(value) }
        return .string(integer)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
