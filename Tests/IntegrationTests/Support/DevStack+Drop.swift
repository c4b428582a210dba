import ClickHouseHTTP
import Columnstore
import LibPQ

extension DevStack {
    /// Drops a test's own ClickHouse database or Postgres schema; errors are ignored (cleanup only).
    static func dropIsolated(_ kind: StoreKind, name: String) async {
        switch kind {
        case .clickhouse:
            if let admin = try? ClickHouseClient(dsn: clickhouseDSN) { _ = try? await admin.execute("DROP DATABASE IF EXISTS \(name)") }
        case .postgres:
            if let admin = try? await PostgresConnection.connect(dsn: postgresDSN) {
                try? await admin.execute("DROP SCHEMA IF EXISTS \(name) CASCADE")
                admin.close()
            }
        }
    }
}
