import Columnstore
import Foundation
import Testing

@Suite("Build identity")
struct BuildInfoTests {
    @Test("the schema hash is the SHA-256 of the committed schema.lock.json, for each store", arguments: [StoreKind.postgres, .clickhouse])
    func schemaHashMatchesLock(store: StoreKind) throws {
        let directory = store == .postgres ? "postgres" : "clickhouse"
        let lock = try Data(contentsOf: FixtureFiles.repositoryRoot.appendingPathComponent("sql/\(directory)/schema.lock.json"))
        #expect(BuildInfo.schemaHash(.ordersAnalytics, store: store) == SHA256.hexDigest(Array(lock)))
    }

    @Test("version, commit from PROJECTION_BUILD_COMMIT (else unknown), projection, store; /version is sorted JSON")
    func fields() throws {
        let built = BuildInfo(projection: "orders-analytics", schema: .ordersAnalytics, store: .postgres, environment: ["PROJECTION_BUILD_COMMIT": "abc123"])
        #expect(built.commit == "abc123" && built.version == BuildInfo.productVersion && built.store == "postgres_table")
        #expect(BuildInfo(projection: "p", schema: .ordersAnalytics, store: .clickhouse, environment: [:]).commit == "unknown")
        let object = try #require(try JSONSerialization.jsonObject(with: built.json()) as? [String: String])
        #expect(Set(object.keys) == ["version", "commit", "projection", "schema_hash", "store"])
        #expect(built.metricDimensions.map(\.0) == ["version", "commit", "projection", "schema_hash", "store"])
    }
}
