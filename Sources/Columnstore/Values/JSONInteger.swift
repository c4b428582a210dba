/// The exact integer a JSON number denotes, in any notation the grammar allows (`100`, `1e2`, `100.0`,
/// `10000e-2`), as canonical decimal digits: no `Double` or `Decimal` in between, so two different
/// numbers never share a text and no integer is rounded. Shared by fact mapping (idempotency keys) and the
/// query API's request decoding (proto3 JSON integer fields).
public enum JSONInteger: Equatable, Sendable {
    /// Canonical digits, `-` first when negative; zero is `0`.
    case integer(String)
    /// A number, but not an integer (`1.5`, `1e-1`).
    case fraction
    /// An integer of more than the allowed digits.
    case tooLong
    /// Not JSON number syntax.
    case invalid

    /// - Parameter maxDigits: the most digits the integer may have (bounds the work for `1e999999`).
    public init(_ literal: some StringProtocol, maxDigits: Int) {
        let bytes = Array(literal.utf8)
        var i = 0
        let negative = i < bytes.count && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        // int = 0 / [1-9]*DIGIT
        let intStart = i
        while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        let intDigits = bytes[intStart..<i]
        guard !intDigits.isEmpty, intDigits.count == 1 || intDigits.first != UInt8(ascii: "0") else { self = .invalid; return }
        var fraction: ArraySlice<UInt8> = []
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            fraction = bytes[start..<i]
            guard !fraction.isEmpty else { self = .invalid; return }
        }
        var exponent = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var exponentNegative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let start = i
            while i < bytes.count, isDigit(bytes[i]) {
                exponent = min(exponent * 10 + Int(bytes[i] - UInt8(ascii: "0")), 100_000_000)
                i += 1
            }
            guard i > start else { self = .invalid; return }
            if exponentNegative { exponent = -exponent }
        }
        guard i == bytes.count else { self = .invalid; return }
        // The value is (intDigits fraction) × 10^(exponent − fraction.count).
        var digits = Array(intDigits) + Array(fraction)
        let shift = exponent - fraction.count
        guard let first = digits.firstIndex(where: { $0 != UInt8(ascii: "0") }) else { self = .integer("0"); return }
        digits.removeFirst(first)
        if shift < 0 {
            let drop = -shift
            guard drop <= digits.count, digits.suffix(drop).allSatisfy({ $0 == UInt8(ascii: "0") }) else { self = .fraction; return }
            digits.removeLast(drop)
            guard !digits.isEmpty else { self = .integer("0"); return }
        } else {
            guard digits.count + shift <= maxDigits else { self = .tooLong; return }
            digits.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: shift))
        }
        guard digits.count <= maxDigits else { self = .tooLong; return }
        self = .integer((negative ? "-" : "") + String(decoding: digits, as: UTF8.self))
    }
}
