extension ConsumerID {
    /// Whether `name` may name a durable: non-empty, letters, digits, `-` and `_` only. Ingest refuses
    /// other names at start, and SQL that renames consumers quotes them plainly because of it; the admin
    /// API and projection-migrate check the same rule.
    public static func isDurableName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    }
}
