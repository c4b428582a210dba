import Columnstore
import Foundation
import Testing

/// `GET /version` and `projection_build_info` on the real ingest binary agree with the schema lock the
/// store was migrated with.
@Suite("Build identity on the real binary")
struct BuildIdentityTests {
    @Test("ingest's /version and build_info gauge name the projection, store and schema hash")
    func ingestVersion() async throws {
        let fixture = try await StoreFixture.make(.postgres, prefix: "version")
        let stream = DevStack.uniqueName("VERSION").uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, tenants: ["t1", "t2", "t3", "t4", "t5"], orders: 10, seed: 3)
        let last = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"])
        let ingest = IngestProcess(environment: [
            "PROJECTION_STORE_KIND": StoreKind.postgres.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "version-\(subject)",
            "PROJECTION_BUILD_COMMIT": "0123abcd",
            "PROJECTION_METRICS_TENANT_LABELS": "true", "PROJECTION_METRICS_TENANT_LABEL_LIMIT": "2",
        ])
        try ingest.start()
        try await ingest.waitForCheckpoint(last)
        let version = try #require(await ingest.request("GET", "/version"))
        #expect(version.status == 200)
        let lock = try Data(contentsOf: StoreFixture.repositoryRoot.appendingPathComponent("sql/postgres/schema.lock.json"))
        #expect(version.body["schema_hash"] as? String == SHA256.hexDigest(Array(lock)))
        #expect(version.body["commit"] as? String == "0123abcd")
        #expect(version.body["projection"] as? String == "orders-analytics")
        #expect(version.body["store"] as? String == "postgres_table")
        let gauge = await ingest.metricsText().split(separator: "\n").first { $0.hasPrefix("projection_build_info{") }
        #expect(gauge?.contains("schema_hash=\"\(SHA256.hexDigest(Array(lock)))\"") == true, "\(gauge ?? "")")
        // Error counters exist at 0 from the start, so the first error is an increase() (before, a series
        // appeared only with its first increment).
        let lines = await ingest.metricsText().split(separator: "\n")
        func zero(_ name: String, _ label: String = "") -> Bool {
            lines.contains { $0.hasPrefix(name + "{") && (label.isEmpty || $0.contains(label)) && $0.hasSuffix(" 0") }
        }
        #expect(zero("projection_store_errors_total", #"step="commit_transaction""#))
        #expect(zero("projection_nats_errors_total"))
        #expect(zero("projection_delivery_holes_total"))
        #expect(zero("projection_facts_quarantined_total", #"type="other""#))
        #expect(lines.contains { $0.hasPrefix("projection_facts_quarantined_total{") && $0.contains(#"type="orders.order_placed.v1""#) })
        #expect(zero("projection_facts_skipped_total", #"reason="other_tenant""#))
        // Every family has help text, declared in MetricCatalog (Prometheus: every metric gets # HELP).
        let types = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(types.count >= 10, "\(lines)")
        for name in types {
            let help = lines.first { $0.hasPrefix("# HELP \(name) ") }
            #expect(help != nil && help == "# HELP \(name) \(MetricCatalog.help(String(name)))", "\(name): \(help ?? "no # HELP")")
        }
        // Five tenants with a limit of two: two keep their own series, the rest share tenant="other".
        let tenantLabels = Set(lines.filter { $0.hasPrefix("projection_facts_consumed_total{") }.compactMap { line -> String? in
            guard let range = line.range(of: #"tenant=""#) else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "\"" })
        })
        #expect(tenantLabels.count == 3 && tenantLabels.contains("other"), "\(tenantLabels)")
        _ = await ingest.terminate()
        await FactPublisher.deleteStream(stream)
        await fixture.drop()
    }
}
