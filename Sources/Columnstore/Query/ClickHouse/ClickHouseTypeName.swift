/// ClickHouse type names as they appear in placeholders and result metadata.
enum ClickHouseTypeName {
    /// The type without `Nullable(…)` / `LowCardinality(…)` wrappers, in any nesting.
    static func base(_ type: String) -> String {
        var type = type
        var changed = true
        while changed {
            changed = false
            for wrapper in ["Nullable(", "LowCardinality("] where type.hasPrefix(wrapper) && type.hasSuffix(")") {
                type = String(type.dropFirst(wrapper.count).dropLast())
                changed = true
            }
        }
        return type
    }
}
