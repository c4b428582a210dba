/// Exact decimal values of `decimal(p, s)` columns, as canonical text: an optional `-`, the integer
/// part without leading zeros, and exactly `s` fractional digits (`"12.30"`, `"-0.05"`, `"7"` when
/// s = 0). Both stores take this text (Postgres as a numeric literal, ClickHouse as scaled integer
/// units), so a value is stored identically and never rounded.
public enum DecimalText {
    /// Why a text is not a value of `decimal(precision, scale)`.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case syntax
        case tooManyFractionDigits(scale: Int)
        case tooManyIntegerDigits(allowed: Int)

        public var description: String {
            switch self {
            case .syntax: return "expected a decimal number in plain notation, e.g. \"-12.34\""
            case .tooManyFractionDigits(let scale): return "has more than \(scale) fractional digits (values are never rounded)"
            case .tooManyIntegerDigits(let allowed): return "has more than \(allowed) integer digits"
            }
        }
    }

    /// The canonical text of `text` in `decimal(precision, scale)`. Accepts `-?digits[.digits]`, JSON's
    /// own notation without an exponent (not `.5` or `5.`); fractional digits beyond the scale must be zeros.
    public static func canonical(_ text: some StringProtocol, precision: Int, scale: Int) -> Result<String, Problem> {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes = bytes.dropFirst()
        }
        let point = bytes.firstIndex(of: UInt8(ascii: "."))
        let integerBytes = point.map { bytes[..<$0] } ?? bytes
        let fractionBytes = point.map { bytes[bytes.index(after: $0)...] } ?? bytes[bytes.endIndex...]
        let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        guard !integerBytes.isEmpty, point == nil || !fractionBytes.isEmpty, integerBytes.allSatisfy(isDigit), fractionBytes.allSatisfy(isDigit) else {
            return .failure(.syntax)
        }
        let integer = integerBytes.drop { $0 == UInt8(ascii: "0") }
        guard integer.count <= precision - scale else { return .failure(.tooManyIntegerDigits(allowed: precision - scale)) }
        var fraction = Array(fractionBytes)
        while fraction.count > scale, fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        guard fraction.count <= scale else { return .failure(.tooManyFractionDigits(scale: scale)) }
        fraction += repeatElement(UInt8(ascii: "0"), count: scale - fraction.count)
        let isZero = integer.isEmpty && !fraction.contains { $0 != UInt8(ascii: "0") }
        var out = negative && !isZero ? "-" : ""
        out += integer.isEmpty ? "0" : String(decoding: integer, as: UTF8.self)
        if scale > 0 { out += "." + String(decoding: fraction, as: UTF8.self) }
        return .success(out)
    }

    /// The value in units of 10^-scale: `"12.30"` at scale 2 is 1230. Nil when `text` is not canonical
    /// text of that scale.
    public static func units(_ text: String, scale: Int) -> Int128? {
        var digits = text.utf8[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        var value: Int128 = 0
        var fractionDigits = -1
        for byte in digits {
            if byte == UInt8(ascii: ".") {
                guard fractionDigits < 0 else { return nil }
                fractionDigits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = shifted.addingReportingOverflow(Int128(byte - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = next
            if fractionDigits >= 0 { fractionDigits += 1 }
        }
        guard max(fractionDigits, 0) == scale else { return nil }
        return negative ? -value : value
    }

    /// Canonical text of `units` × 10^-scale.
    public static func text(units: Int128, scale: Int) -> String {
        let magnitude = units.magnitude
        var digits = String(magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return (units < 0 ? "-" : "") + digits
    }

    /// 10^precision: values of `decimal(precision, _)` have fewer than `precision` digits of units.
    public static func limit(precision: Int) -> Int128 {
        var limit: Int128 = 1
        for _ in 0..<precision { limit *= 10 }
        return limit
    }
}
