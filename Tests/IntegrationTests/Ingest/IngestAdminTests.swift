import ClickHouseHTTP
import Columnstore
import Foundation
import JetStream
import Testing

/// The token-protected admin operations of the real `projection-ingest` binary, on both stores: pause and
/// resume, the quarantine list, and re-driving a quarantined fact after a fix.
@Suite("Ingest admin operations", .serialized)
struct IngestAdminTests {
    static let token = "admin-token-0123456789"

    @Test("pause holds the checkpoint, resume catches up; a quarantined fact re-driven after a fix is applied once", arguments: [StoreKind.postgres, .clickhouse])
    func pauseQuarantineRedrive(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "admin")
        let stream = DevStack.uniqueName("ADMIN").uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, orders: 300, seed: 11)
        let last = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"])
        var environment = [
            "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "admin-\(subject)",
            "PROJECTION_ADMIN_TOKEN": Self.token,
            // Small enough that the large fact below is quarantined as oversize: the "bug" to fix.
            "PROJECTION_MAX_FACT_BYTES": "1024",
        ]
        var ingest = IngestProcess(environment: environment)
        try ingest.start()
        try await ingest.waitForCheckpoint(last)

        // Auth: no token, a wrong token.
        #expect(await ingest.request("POST", "/admin/pause")?.status == 401)
        #expect(await ingest.request("POST", "/admin/pause", token: "wrong-token-0123456789")?.status == 401)

        // Pause, then publish the large fact: nothing moves until resume.
        #expect(await ingest.request("POST", "/admin/pause", token: Self.token)?.status == 200)
        let big = Self.largeOrder(subject: subject)
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "admin-test")
        let js = try connection.jetStream()
        let bigSequence = try await js.publish(subject: big.subject, data: big.body).sequence
        try await ContinuousClock().sleep(for: .milliseconds(1500))
        #expect(await ingest.checkpoint() == last, "paused: nothing consumed")
        #expect(await ingest.admin()?["paused"] as? Bool == true)
        #expect(await ingest.get("/readyz") == 200, "paused is healthy and ready")
        #expect(await ingest.request("POST", "/admin/resume", token: Self.token)?.status == 200)
        try await ingest.waitForCheckpoint(bigSequence)

        // The quarantine lists the poison facts and the oversize one, with reasons and raw bytes.
        let listed = try #require(await ingest.request("GET", "/admin/quarantine?limit=1000", token: Self.token))
        #expect(listed.status == 200)
        let facts = try #require(listed.body["facts"] as? [[String: Any]])
        #expect(facts.count == corpus.poisonCount + 1)
        let bigEntry = try #require(facts.first { ($0["sequence"] as? NSNumber)?.uint64Value == bigSequence })
        #expect((bigEntry["reason"] as? String ?? "").contains("bytes"), "reason: \(bigEntry["reason"] ?? "")")
        #expect(Data(base64Encoded: bigEntry["raw_base64"] as? String ?? "") == Data(big.body))
        let t2Only = try #require(await ingest.request("GET", "/admin/quarantine?tenant=t2&limit=1000", token: Self.token))
        #expect((t2Only.body["facts"] as? [[String: Any]])?.allSatisfy { $0["tenant"] as? String == "t2" } == true)
        let page = try #require(await ingest.request("GET", "/admin/quarantine?limit=2", token: Self.token))
        #expect((page.body["facts"] as? [[String: Any]])?.count == 2)
        #expect(page.body["next_after_sequence"] != nil)

        // Bad requests name the field.
        let badLimit = await ingest.request("GET", "/admin/quarantine?limit=0", token: Self.token)
        #expect(badLimit?.status == 400)
        let badBody = await ingest.request("POST", "/admin/quarantine/redrive", token: Self.token, body: #"{"sequence":[1]}"#)
        #expect(badBody?.status == 400)
        #expect("\(badBody?.body ?? [:])".contains("sequence"))
        // A bool is not a sequence, nor a fraction, nor a duplicate key.
        for body in [#"{"sequences":[true]}"#, #"{"sequences":[1.5]}"#, #"{"sequences":[1],"sequences":[2]}"#, #"{"limit":true}"#] {
            let refused = await ingest.request("POST", "/admin/quarantine/redrive", token: Self.token, body: body)
            #expect(refused?.status == 400, "\(body)")
        }

        // The fix: a larger fact limit. Then re-drive: the fact is published again and applied.
        _ = await ingest.terminate()
        environment["PROJECTION_MAX_FACT_BYTES"] = nil
        ingest = IngestProcess(environment: environment)
        try ingest.start()
        try await ingest.waitForCheckpoint(bigSequence)
        let redrive = try #require(await ingest.request("POST", "/admin/quarantine/redrive", token: Self.token, body: "{\"sequences\":[\(bigSequence)]}"))
        #expect(redrive.status == 200)
        let redriven = try #require(redrive.body["redriven"] as? [[String: Any]])
        #expect(redriven.count == 1)
        let newSequence = try #require((redriven.first?["new_sequence"] as? NSNumber)?.uint64Value)
        #expect(newSequence > bigSequence)
        try await ingest.waitForCheckpoint(newSequence)

        let orders = try await fixture.orders()
        #expect(orders["t1"]?["big-1"]?.amountCents == 777, "the re-driven fact was applied")
        let daily = try await fixture.dailyTotals()
        let count = daily.values.flatMap(\.values).reduce(Int64(0)) { $0 + $1.orderCount }
        #expect(count == corpus.totalOrderCount + 1, "applied once, nothing else doubled")
        #expect(try await fixture.quarantineCount() == corpus.poisonCount, "the re-driven fact left the quarantine")

        // Re-driving it again is a no-op: it is no longer quarantined.
        let again = await ingest.request("POST", "/admin/quarantine/redrive", token: Self.token, body: "{\"sequences\":[\(bigSequence)]}")
        #expect((again?.body["redriven"] as? [Any])?.isEmpty == true)

        _ = await ingest.terminate()
        await connection.close()
        await fixture.drop()
        await FactPublisher.deleteStream(stream)
    }

    @Test("two partitions with a stream each quarantine the same sequences apart; each ingest lists and re-drives its own", arguments: [StoreKind.postgres, .clickhouse])
    func quarantinePerPartition(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "admin")
        var ingests: [Int: IngestProcess] = [:]
        var streams: [String] = []
        var lastSequence = UInt64(0)
        var corpus: FactCorpus?
        for partition in [1, 2] {
            let stream = DevStack.uniqueName("ADMINP\(partition)").uppercased()
            let subject = stream.lowercased()
            streams.append(stream)
            // The same shape in both streams, so their poison facts land at equal sequences; tenants differ
            // so the partitions share no idempotency keys.
            let tenants = partition == 1 ? ["a1", "a2"] : ["b1", "b2"]
            let published = FactCorpus(subjectPrefix: subject, tenants: tenants, orders: 120, seed: 5)
            lastSequence = try await FactPublisher.publish(published, stream: stream, subjects: ["\(subject).>"])
            corpus = published
            let ingest = IngestProcess(environment: [
                "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
                "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
                "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "admin-\(subject)",
                "PROJECTION_PARTITION": String(partition), "PROJECTION_ADMIN_TOKEN": Self.token,
            ])
            try ingest.start()
            ingests[partition] = ingest
        }
        let one = try #require(ingests[1]), two = try #require(ingests[2])
        try await one.waitForCheckpoint(lastSequence)
        try await two.waitForCheckpoint(lastSequence)
        let poisonCount = try #require(corpus).poisonCount
        try #require(poisonCount >= 2)

        // Both partitions' entries survive (on ClickHouse, a merge too), although their sequences are equal.
        let keys = try await fixture.quarantineKeys()
        let sequences = keys.filter { $0.partition == 1 }.map(\.sequence)
        #expect(sequences.count == poisonCount)
        #expect(keys.filter { $0.partition == 2 }.map(\.sequence) == sequences, "the same sequences in both streams")

        // Each ingest lists its own partition; `partition` picks another.
        func listed(_ ingest: IngestProcess, _ query: String = "") async throws -> [[String: Any]] {
            let response = try #require(await ingest.request("GET", "/admin/quarantine?limit=1000\(query)", token: Self.token))
            #expect(response.status == 200)
            return try #require(response.body["facts"] as? [[String: Any]])
        }
        func entries(_ facts: [[String: Any]]) -> [QuarantineKey] {
            facts.compactMap { fact in
                guard let partition = (fact["partition"] as? NSNumber)?.intValue, let sequence = (fact["sequence"] as? NSNumber)?.uint64Value else { return nil }
                return QuarantineKey(partition: partition, sequence: sequence)
            }
        }
        #expect(entries(try await listed(one)) == sequences.map { QuarantineKey(partition: 1, sequence: $0) })
        #expect(entries(try await listed(two)) == sequences.map { QuarantineKey(partition: 2, sequence: $0) })
        // Another partition's entries are another durable's: all listed (each naming its durable), or
        // those of the durable named; a re-drive or skip there must name it.
        #expect(entries(try await listed(one, "&partition=2")) == sequences.map { QuarantineKey(partition: 2, sequence: $0) })
        #expect(try await listed(one, "&partition=2").allSatisfy { $0["consumer"] as? String == "admin-\(streams[1].lowercased())" })
        #expect(entries(try await listed(one, "&partition=2&consumer=admin-\(streams[1].lowercased())")) == sequences.map { QuarantineKey(partition: 2, sequence: $0) })
        #expect(entries(try await listed(one, "&partition=2&consumer=admin-\(streams[0].lowercased())")) == [], "this ingest's durable has none in partition 2")
        let unnamed = try #require(await one.request("POST", "/admin/quarantine/redrive", token: Self.token, body: "{\"sequences\":[1],\"partition\":2}"))
        #expect(unnamed.status == 400, "\(unnamed.body)")
        #expect(await one.request("GET", "/admin/quarantine?consumer=a.b", token: Self.token)?.status == 400)
        #expect(await one.request("GET", "/admin/quarantine?partition=-1", token: Self.token)?.status == 400)
        #expect(try await listed(one).allSatisfy { $0["consumer"] as? String == "admin-\(streams[0].lowercased())" },
                "each entry names the durable that recorded it")

        // Re-driving partition 1's first entry removes only that entry. The fact is still poison, so
        // partition 1 quarantines it again under its new sequence.
        let first = try #require(sequences.first)
        let redrive = try #require(await one.request("POST", "/admin/quarantine/redrive", token: Self.token, body: "{\"sequences\":[\(first)]}"))
        #expect(redrive.status == 200)
        let redriven = try #require(redrive.body["redriven"] as? [[String: Any]])
        #expect(redriven.count == 1)
        #expect((redriven.first?["partition"] as? NSNumber)?.intValue == 1)
        #expect((redriven.first?["sequence"] as? NSNumber)?.uint64Value == first)
        let newSequence = try #require((redriven.first?["new_sequence"] as? NSNumber)?.uint64Value)
        try await one.waitForCheckpoint(newSequence)
        let after = try await fixture.quarantineKeys().map { QuarantineKey(partition: $0.partition, sequence: $0.sequence) }
        #expect(!after.contains(QuarantineKey(partition: 1, sequence: first)))
        #expect(after.contains(QuarantineKey(partition: 2, sequence: first)), "the other partition's entry at the same sequence stays")
        #expect(after.contains(QuarantineKey(partition: 1, sequence: newSequence)))
        #expect(after.count == keys.count)
        #expect(entries(try await listed(two)) == sequences.map { QuarantineKey(partition: 2, sequence: $0) })

        // A subject another stream captures now (the streams were reconfigured): the re-drive is refused
        // with a 409 naming the fact, nothing is published anywhere, and the entry stays.
        let otherStream = DevStack.uniqueName("ADMINX").uppercased()
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "admin-tests")
        _ = try await connection.jetStream().ensureStream(name: otherStream, subjects: ["\(otherStream.lowercased()).>"], storage: .memory)
        let moved = "\(otherStream.lowercased()).t1.orders.order_placed.v1"
        let second = try #require(sequences.dropFirst().first)
        switch kind {
        case .clickhouse:
            try await ClickHouseClient(dsn: fixture.dsn).execute(
                "ALTER TABLE _projection_quarantine UPDATE subject = {s:String} WHERE partition = 2 AND stream_sequence = {q:UInt64}",
                parameters: ["s": moved, "q": String(second)], settings: ["mutations_sync": "2"])
        case .postgres:
            _ = try await fixture.rows("", postgres: "UPDATE _projection_quarantine SET subject = '\(moved)' WHERE partition = 2 AND stream_sequence = \(second)")
        }
        let refused = try #require(await two.request("POST", "/admin/quarantine/redrive", token: Self.token, body: "{\"sequences\":[\(second)]}"))
        #expect(refused.status == 409, "\(refused)")
        #expect("\(refused.body)".contains("sequence \(second)") && "\(refused.body)".contains("stays quarantined"), "\(refused.body)")
        #expect(try await connection.jetStream().streamInfo(name: otherStream).messages == 0, "nothing lands in the other stream")
        #expect(entries(try await listed(two)) == sequences.map { QuarantineKey(partition: 2, sequence: $0) }, "the entry stays")
        try? await connection.jetStream().deleteStream(name: otherStream)
        await connection.close()

        for ingest in ingests.values { _ = await ingest.terminate() }
        await fixture.drop()
        for stream in streams { await FactPublisher.deleteStream(stream) }
    }

    /// An ingest on an empty stream of its own (Postgres), ready; `stop` ends it and drops what it made.
    static func readyIngest(durable: String, adminToken: String?) async throws -> (ingest: IngestProcess, stop: () async -> Void) {
        let fixture = try await StoreFixture.make(.postgres, prefix: "admin")
        let stream = DevStack.uniqueName("ADMIN").uppercased()
        var environment = [
            "PROJECTION_STORE_KIND": StoreKind.postgres.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(stream.lowercased()).>", "PROJECTION_DURABLE": durable,
        ]
        if let adminToken { environment["PROJECTION_ADMIN_TOKEN"] = adminToken }
        let ingest = IngestProcess(environment: environment)
        try ingest.start()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120) // hang guard
        var ready = false
        while !ready, clock.now < deadline {
            ready = await ingest.get("/readyz") == 200
            if !ready { try await clock.sleep(for: .milliseconds(100)) }
        }
        try #require(ready, "the ingest never became ready")
        return (ingest, {
            _ = await ingest.terminate()
            await fixture.drop()
            await FactPublisher.deleteStream(stream)
        })
    }

    @Test("without PROJECTION_ADMIN_TOKEN the admin operations are disabled")
    func disabledWithoutToken() async throws {
        let (ingest, stop) = try await Self.readyIngest(durable: "admin-off", adminToken: nil)
        let response = await ingest.request("POST", "/admin/pause", token: Self.token)
        #expect(response?.status == 403)
        #expect("\(response?.body ?? [:])".contains("PROJECTION_ADMIN_TOKEN"))
        #expect(await ingest.admin()?["paused"] as? Bool == false)
        await stop()
    }

    @Test("admin changes refuse what a cross-site HTML form can send, even with the token (a proxy may add it)")
    func crossSiteFormsRefused() async throws {
        let (ingest, stop) = try await Self.readyIngest(durable: "admin-csrf", adminToken: Self.token)
        for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "Text/Plain; charset=utf-8"] {
            let refused = await ingest.request("POST", "/admin/pause", token: Self.token, body: #"{"x":""}"#, headers: ["Content-Type": type])
            #expect(refused?.status == 415, "\(type)")
        }
        let redrive = await ingest.request("POST", "/admin/quarantine/redrive", token: Self.token, body: #"{"limit":1000,"tenant":"="}"#,
                                           headers: ["Content-Type": "text/plain"])
        #expect(redrive?.status == 415)
        let crossSite = await ingest.request("POST", "/admin/pause", token: Self.token, headers: ["Sec-Fetch-Site": "cross-site"])
        #expect(crossSite?.status == 403)
        #expect(await ingest.admin()?["paused"] as? Bool == false, "nothing refused took effect")
        // JSON, or no body, as before.
        #expect(await ingest.request("POST", "/admin/pause", token: Self.token)?.status == 200)
        #expect(await ingest.request("POST", "/admin/resume", token: Self.token, body: "{}")?.status == 200)
        // The scheme is case-insensitive (RFC 9110), as on the query API and the ingress.
        #expect(await ingest.request("POST", "/admin/resume", headers: ["Authorization": "bearer \(Self.token)"])?.status == 200)
        #expect(await ingest.request("POST", "/admin/resume", headers: ["Authorization": "Bearer"])?.status == 401)
        await stop()
    }

    static func largeOrder(subject: String) -> (subject: String, body: [UInt8]) {
        let event: [String: Any] = [
            "specversion": "1.0", "id": "big-fact-1", "source": "/tests", "type": "orders.order_placed.v1", "tenantid": "t1",
            "time": "2026-03-01T10:00:00Z",
            "data": ["order_id": "big-1", "customer_id": "c-" + String(repeating: "x", count: 1500), "amount_cents": 777,
                     "currency": "EUR", "placed_at": "2026-03-01T10:00:00Z"],
        ]
        let body = try! JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])
        return ("\(subject).t1.orders.order_placed.v1", Array(body))
    }
}
