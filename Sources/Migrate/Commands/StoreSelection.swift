import ArgumentParser
import Columnstore

/// `--store clickhouse|postgres|all`.
enum StoreSelection: String, ExpressibleByArgument, CaseIterable, Sendable {
    case clickhouse
    case postgres
    case all

    /// The stores selected, restricted to those the projection supports when `all`.
    func stores(supportedBy schema: ProjectionSchema) -> [StoreKind] {
        switch self {
        case .clickhouse: return [.clickhouse]
        case .postgres: return [.postgres]
        case .all: return StoreKind.allCases.filter(schema.storeKinds.contains)
        }
    }
}
