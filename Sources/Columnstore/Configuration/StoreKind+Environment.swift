extension StoreKind {
    /// The setting that selects the store.
    public static let setting = "PROJECTION_STORE_KIND"

    /// The values operators write in `PROJECTION_STORE_KIND`; these names are a runtime contract.
    public static let environmentChoices: [String: StoreKind] = [
        "clickhouse": .clickhouse,
        "postgres_table": .postgres,
    ]

    /// The value of `PROJECTION_STORE_KIND` for this store.
    public var environmentValue: String {
        switch self {
        case .clickhouse: "clickhouse"
        case .postgres: "postgres_table"
        }
    }
}
