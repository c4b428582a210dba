/// A double written as ECMAScript's Number::toString writes it (ECMA-262 §7.1.12.1), which RFC 8785
/// prescribes for numbers: the shortest digits that round-trip, `1e+21` style past 21 digits, no `.0`.
enum ECMAScriptNumber {
    /// nil for NaN and the infinities (JSON has no such numbers).
    static func format(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        if value == 0 { return "0" }
        if value < 0 { return "-" + (format(-value) ?? "") }
        // Swift's description already holds the shortest round-tripping digits; only the layout differs.
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0]
        let integerPart = mantissa.split(separator: ".", omittingEmptySubsequences: false)[0]
        let fraction = mantissa.contains(".") ? mantissa.split(separator: ".", omittingEmptySubsequences: false)[1] : ""
        var digits = Array(integerPart + fraction)
        // The decimal point sits after `point` digits: value = 0.digits × 10^point.
        var point = integerPart.count + exponent
        while digits.first == "0" { digits.removeFirst(); point -= 1 }
        while digits.last == "0" { digits.removeLast() }
        let k = digits.count, n = point
        let s = String(digits)
        if k <= n && n <= 21 { return s + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 { return String(digits[..<n]) + "." + String(digits[n...]) }
        if -6 < n && n <= 0 { return "0." + String(repeating: "0", count: -n) + s }
        let e = n - 1
        let sign = e < 0 ? "-" : "+"
        let head = k == 1 ? s : String(digits[0]) + "." + String(digits[1...])
        return head + "e" + sign + String(abs(e))
    }
}
