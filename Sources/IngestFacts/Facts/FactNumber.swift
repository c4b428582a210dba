import Foundation

/// A JSON number as JSONSerialization typed it, so mapping judges numbers exactly as before: a
/// negative integer that fits Int64, a non-negative one that fits UInt64, a decimal when the literal
/// has more digits than a double holds (and its exponent fits Decimal), else a double.
enum FactNumber {
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    /// Rare (more than 17 significant digits), so Foundation's Decimal is fine here.
    case decimal(Decimal)

    /// - Parameter literal: a number already validated by the parser.
    init?(literal: String) {
        var utf8 = literal.utf8[...]
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { utf8 = utf8.dropFirst() }
        var digits = 0
        var isInteger = true
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "."): isInteger = false
            case UInt8(ascii: "e"), UInt8(ascii: "E"): isInteger = false; inExponent = true
            case UInt8(ascii: "-"): exponentNegative = true
            case UInt8(ascii: "+"): break
            default:
                // Capped: only whether it fits Decimal's range matters.
                if inExponent { exponent = min(exponent * 10 + Int(byte &- UInt8(ascii: "0")), 100_000) } else { digits += 1 }
            }
        }
        if exponentNegative { exponent = -exponent }
        if isInteger {
            // Int64.min was typed as a decimal (its magnitude does not fit Int64): kept, so it is
            // still rejected by integer columns exactly as before.
            if negative, digits <= 19, let value = Int64(literal), value != .min { self = .int(value); return }
            if !negative, digits <= 20, let value = UInt64(literal) { self = .uint(value); return }
        }
        if digits > 17, exponent >= -128, exponent <= 127, let decimal = Decimal(string: literal), decimal.isFinite {
            self = .decimal(decimal)
            return
        }
        guard let double = Double(literal) else { return nil }
        self = .double(double)
    }

    /// The text an NSNumber gave (`stringValue`): integers as written, doubles in Swift's shortest form.
    var text: String {
        switch self {
        case .int(let value): String(value)
        case .uint(let value): String(value)
        case .double(let value): value.description
        case .decimal(let value): value.description
        }
    }

    var doubleValue: Double {
        switch self {
        case .int(let value): Double(value)
        case .uint(let value): Double(value)
        case .double(let value): value
        case .decimal(let value): NSDecimalNumber(decimal: value).doubleValue
        }
    }
}
