/// A store dialect the generator writes migrations for.
public enum DDLTarget: Sendable, Hashable, CustomStringConvertible {
    /// ClickHouse; with a cluster name, `ON CLUSTER`, `Replicated*` engines and
    /// `Distributed` tables (local tables get the suffix `_local`).
    case clickhouse(cluster: String?)
    case postgres

    public var store: StoreKind {
        switch self {
        case .clickhouse: return .clickhouse
        case .postgres: return .postgres
        }
    }

    /// Folder under the output root: `clickhouse`, `clickhouse-cluster` or `postgres`.
    public var directoryName: String {
        switch self {
        case .clickhouse(nil): return "clickhouse"
        case .clickhouse: return "clickhouse-cluster"
        case .postgres: return "postgres"
        }
    }

    public var description: String {
        switch self {
        case .clickhouse(nil): return "clickhouse"
        case .clickhouse(let cluster?): return "clickhouse (cluster \(cluster))"
        case .postgres: return "postgres"
        }
    }
}
