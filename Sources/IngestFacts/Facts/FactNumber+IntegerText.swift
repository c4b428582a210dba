import Columnstore

extension FactNumber {
    /// Longest integer an idempotency key is built from; longer keys are refused by their byte bound anyway.
    static let maxIntegerDigits = 1_024

    /// The exact integer a validated JSON number literal denotes, in canonical digits (`1e2`, `100.0` and
    /// `100` → `100`; `-0` → `0`), or nil when it is no integer or has more than `maxIntegerDigits` digits.
    static func integerText(_ literal: String) -> String? {
        guard case .integer(let text) = JSONInteger(literal, maxDigits: maxIntegerDigits) else { return nil }
        return text
    }
}
