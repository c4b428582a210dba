extension FactNumber {
    /// Longest integer an idempotency key is built from; longer keys are refused by their byte bound anyway.
    static let maxIntegerDigits = 1_024

    /// The exact integer a validated JSON number literal denotes, in canonical decimal digits (`1e2`,
    /// `100.0` and `100` → `100`; `-0` → `0`), or nil when it is not an integer (`1.5`, `1e-1`) or has
    /// more than `maxIntegerDigits` digits. Exact at any size: no `Double` or `Decimal` in between, so two
    /// different integers never share a text.
    static func integerText(_ literal: String) -> String? {
        var bytes = Array(literal.utf8)[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var exponent = 0
        var exponentNegative = false
        var part = 0  // 0 integer, 1 fraction, 2 exponent
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "."): part = 1
            case UInt8(ascii: "e"), UInt8(ascii: "E"): part = 2
            case UInt8(ascii: "-"): exponentNegative = true
            case UInt8(ascii: "+"): break
            default:
                let digit = byte &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                switch part {
                case 2: exponent = min(exponent * 10 + Int(digit), 1_000_000)
                case 1: digits.append(byte); fractionDigits += 1
                default: digits.append(byte)
                }
            }
        }
        // The value is digits × 10^(exponent − fractionDigits).
        let shift = (exponentNegative ? -exponent : exponent) - fractionDigits
        // Leading zeros carry nothing.
        let firstNonZero = digits.firstIndex { $0 != UInt8(ascii: "0") } ?? digits.endIndex
        var significant = Array(digits[firstNonZero...])
        guard !significant.isEmpty else { return "0" }
        if shift < 0 {
            // The dropped digits must all be zeros.
            let drop = -shift
            guard drop <= significant.count, significant.suffix(drop).allSatisfy({ $0 == UInt8(ascii: "0") }) else { return nil }
            significant.removeLast(drop)
            guard !significant.isEmpty else { return "0" }
        } else {
            guard significant.count + shift <= maxIntegerDigits else { return nil }
            significant.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: shift))
        }
        guard significant.count <= maxIntegerDigits else { return nil }
        return (negative ? "-" : "") + String(decoding: significant, as: UTF8.self)
    }
}
