/// A store a projection can be materialized in.
public enum StoreKind: String, Sendable, Hashable, CaseIterable, Codable {
    case clickhouse
    case postgres
}
