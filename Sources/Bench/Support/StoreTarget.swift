import ArgumentParser
import Columnstore
import Foundation

/// A store and its isolated database (ClickHouse) or schema (Postgres) inside the dev stack's database.
struct StoreTarget: ParsableArguments {
    @Option(help: "clickhouse or postgres.")
    var store: String

    @Option(help: "The store's base DSN (the dev stack's database); its password is never printed.")
    var dsn: String

    @Option(help: "Isolated database (ClickHouse) or schema (Postgres) for this run.")
    var name: String

    func validate() throws {
        guard StoreKind(rawValue: store) != nil else { throw ValidationError("--store must be clickhouse or postgres") }
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw ValidationError("--name may hold only ASCII letters, digits and _")
        }
    }

    var kind: StoreKind { StoreKind(rawValue: store)! }

    /// The DSN that points into the isolated database/schema (the orchestrator derives the same one).
    var isolatedDSN: String {
        switch kind {
        case .clickhouse:
            var components = URLComponents(string: dsn)!
            components.path = "/\(name)"
            return components.string!
        case .postgres:
            return dsn + (dsn.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(name)"
        }
    }
}
