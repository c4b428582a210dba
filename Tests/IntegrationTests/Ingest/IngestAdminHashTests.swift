import Columnstore
import Foundation
import Testing

/// `GET /admin/hash` on the real `projection-ingest`: the same state hash as `projection-migrate hash`,
/// per table and tenant, behind the admin token, with a 400 naming a bad parameter.
@Suite("Ingest admin state hash", .serialized)
struct IngestAdminHashTests {
    static let token = "hash-admin-token-0123456"

    @Test("the admin API's state hash equals the CLI's, per tenant too", arguments: [StoreKind.postgres, .clickhouse])
    func hashMatchesCLI(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "adminhash")
        let stream = DevStack.uniqueName("ADMINHASH").uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, orders: 400, seed: 17)
        let last = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"])
        let environment = [
            "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "hash-\(subject)",
            "PROJECTION_ADMIN_TOKEN": Self.token,
        ]
        let ingest = IngestProcess(environment: environment)
        try ingest.start()
        try await ingest.waitForCheckpoint(last)

        #expect(await ingest.request("GET", "/admin/hash")?.status == 401, "behind the admin token")
        let api = try #require(await ingest.request("GET", "/admin/hash", token: Self.token))
        #expect(api.status == 200)
        let cli = try await MigrateProcess.run(["hash", "--json"], environment: environment)
        #expect(cli.status == 0, "\(cli.all)")
        let cliJSON = try #require(try JSONSerialization.jsonObject(with: Data(cli.output.utf8)) as? [String: Any])
        let digests = { (report: [String: Any]) -> [String: String] in
            var result: [String: String] = [:]
            for table in report["tables"] as? [[String: Any]] ?? [] {
                result[table["table"] as? String ?? "?"] = table["sha256"] as? String
            }
            return result
        }
        #expect(!digests(api.body).isEmpty)
        #expect(digests(api.body) == digests(cliJSON), "the admin API and the CLI hash the same state")
        #expect(api.body["canonical_form"] as? String == cliJSON["canonical_form"] as? String)
        #expect(!(String(data: try JSONSerialization.data(withJSONObject: api.body), encoding: .utf8) ?? "").contains("projection:projection@"),
                "no DSN password in the answer")

        // One table, one tenant: that tenant's digest is the one in the full report.
        let scoped = try #require(await ingest.request("GET", "/admin/hash?table=orders&tenant=t2", token: Self.token))
        #expect(scoped.status == 200)
        let scopedTables = scoped.body["tables"] as? [[String: Any]] ?? []
        #expect(scopedTables.count == 1)
        let tenantDigest = { (report: [String: Any]) -> String? in
            let orders = (report["tables"] as? [[String: Any]])?.first { $0["table"] as? String == "orders" }
            return (orders?["tenants"] as? [[String: Any]])?.first { $0["tenant"] as? String == "t2" }?["sha256"] as? String
        }
        #expect(tenantDigest(scoped.body) != nil)
        #expect(tenantDigest(scoped.body) == tenantDigest(api.body))

        let bad = try #require(await ingest.request("GET", "/admin/hash?table=nope", token: Self.token))
        #expect(bad.status == 400)
        _ = await ingest.terminate()
        await fixture.drop()
        await FactPublisher.deleteStream(stream)
    }
}
