@testable import Columnstore
import Testing
@testable import Ingest

@Suite("Ingest configuration")
struct IngestConfigurationTests {
    let base = ["PROJECTION_STORE_DSN": "postgresql://u:secret@h/db", "PROJECTION_STORE_KIND": "postgres_table"]

    func configuration(_ extra: [String: String] = [:]) throws -> IngestConfiguration {
        try IngestConfiguration(settings: SettingsSource(values: base.merging(extra) { $1 }))
    }

    @Test("documented defaults")
    func defaults() throws {
        let c = try configuration()
        #expect(c.projection == "orders-analytics")
        #expect(c.storeKind == .postgres)
        #expect(c.natsURL == "nats://127.0.0.1:4222")
        #expect(c.stream == "FACTS")
        #expect(c.subjects == ["facts.>"])
        #expect(c.durable == "projection-orders-analytics")
        #expect(c.httpPort == 8081)
        #expect(c.batching.maxFacts == 5_000)
        #expect(c.batching.linger == .milliseconds(100))
        #expect(c.consumer == ConsumerID(projection: "orders-analytics", consumer: "projection-orders-analytics", partition: 0))
        #expect(c.streamReplicas == 1)
    }

    @Test("a cluster: a URL list and three stream replicas")
    func cluster() throws {
        let c = try configuration(["PROJECTION_NATS_URL": "nats://a:4222,nats://b:4222", "PROJECTION_STREAM_REPLICAS": "3"])
        #expect(c.natsURL == "nats://a:4222,nats://b:4222")
        #expect(c.streamReplicas == 3)
    }

    @Test("invalid settings fail naming the setting, without echoing secrets", arguments: [
        (["PROJECTION_STORE_KIND": "mysql"], "PROJECTION_STORE_KIND"),
        (["PROJECTION_STORE_DSN": ""], "PROJECTION_STORE_DSN"),
        (["PORT_HTTP": "http"], "PORT_HTTP"),
        (["PORT_HTTP": "70000"], "PORT_HTTP"),
        (["PROJECTION_BATCH_MAX_FACTS": "0"], "PROJECTION_BATCH_MAX_FACTS"),
        (["PROJECTION_BATCH_LINGER_MS": "-5"], "PROJECTION_BATCH_LINGER_MS"),
        (["PROJECTION_MAX_ACK_PENDING": "100"], "PROJECTION_MAX_ACK_PENDING"),
        (["PROJECTION_DURABLE": "bad name!"], "PROJECTION_DURABLE"),
        (["PROJECTION_SUBJECTS": " , "], "PROJECTION_SUBJECTS"),
        (["PROJECTION_PARTITIONS": "0"], "PROJECTION_PARTITIONS"),
        (["PROJECTION_STREAM_REPLICAS": "0"], "PROJECTION_STREAM_REPLICAS"),
        (["PROJECTION_STREAM_REPLICAS": "7"], "PROJECTION_STREAM_REPLICAS"),
        (["PROJECTION_PARTITIONS": "6", "PROJECTION_SUBJECTS": "facts.>"], "PROJECTION_SUBJECTS"),
        (["PROJECTION_PARTITIONS": "6", "PROJECTION_PARTITION": "2"], "PROJECTION_PARTITION"),
        (["PROJECTION_PARTITIONS": "6", "PROJECTION_REPLICA_ID": "a.b"], "PROJECTION_REPLICA_ID"),
        (["PROJECTION_LEASE_TTL_MS": "500"], "PROJECTION_LEASE_TTL_MS"),
        (["PROJECTION_LEASE_BUCKET": "leases.x"], "PROJECTION_LEASE_BUCKET"),
        (["PROJECTION_STREAM": "FACTS.X"], "PROJECTION_STREAM"),
        (["PROJECTION_ADMIN_TOKEN": "short-secret"], "PROJECTION_ADMIN_TOKEN"),
        (["PROJECTION_ADMIN_TOKEN": "a long secret pass phrase"], "PROJECTION_ADMIN_TOKEN"),
        (["PROJECTION_ADMIN_TOKEN": "long-secret-token\t0001"], "PROJECTION_ADMIN_TOKEN"),
        (["PROJECTION_METRICS_TENANT_LABEL_LIMIT": "0"], "PROJECTION_METRICS_TENANT_LABEL_LIMIT"),
    ])
    func invalid(extra: [String: String], setting: String) {
        do {
            _ = try configuration(extra)
            Issue.record("expected \(setting) to be refused")
        } catch let error as ConfigurationError {
            #expect(error.setting == setting)
            #expect(error.description.contains(setting))
            #expect(!error.description.contains("secret"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a config file holds defaults that the environment overrides")
    func configFile() throws {
        let parsed = try SettingsSource.parseFile("# comment\nPROJECTION_STREAM = ORDERS\nPORT_HTTP=\"9000\"\n", path: "f")
        #expect(parsed == ["PROJECTION_STREAM": "ORDERS", "PORT_HTTP": "9000"])
        #expect(throws: ConfigurationError.self) { try SettingsSource.parseFile("no equals sign", path: "f") }
    }

    @Test("replica mode: templates default per partition and are filled in for each")
    func replicaMode() throws {
        let c = try configuration(["PROJECTION_PARTITIONS": "6", "PROJECTION_REPLICA_ID": "ingest-a"])
        #expect(c.partitions == 6)
        #expect(c.replicaID == "ingest-a")
        #expect(c.lease.ttl == .seconds(15))
        #expect(c.lease.renewEvery == .seconds(5))
        #expect(c.lease.safetyMargin == .milliseconds(3750))
        #expect(c.leaseBucket == "projection_leases")
        let p3 = c.forPartition(3)
        #expect(p3.partitions == nil)
        #expect(p3.stream == "FACTS_P3")
        #expect(p3.subjects == ["facts.p3.>"])
        #expect(p3.durable == "projection-orders-analytics-p3")
        #expect(p3.consumer == ConsumerID(projection: "orders-analytics", consumer: "projection-orders-analytics-p3", partition: 3))
        let custom = try configuration(["PROJECTION_PARTITIONS": "2", "PROJECTION_STREAM": "ORDERS", "PROJECTION_SUBJECTS": "orders.{partition}.>",
                                        "PROJECTION_DURABLE": "o-{partition}"]).forPartition(1)
        #expect(custom.stream == "ORDERS")
        #expect(custom.subjects == ["orders.1.>"])
        #expect(custom.durable == "o-1")
        #expect(try configuration().partitions == nil)
        #expect(!(try configuration(["PROJECTION_PARTITIONS": "2"]).replicaID.isEmpty))
    }
}
