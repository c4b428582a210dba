@testable import Columnstore
import Testing
@testable import Ingest

@Suite("Ingress settings")
struct IngressSettingsTests {
    let base = ["PROJECTION_STORE_DSN": "postgresql://u:secret@h/db", "PROJECTION_STORE_KIND": "postgres_table"]
    let tokens = "shop-token-0123456789=acme:*"

    func configuration(_ extra: [String: String] = [:]) throws -> IngestConfiguration {
        try IngestConfiguration(settings: SettingsSource(values: base.merging(extra) { $1 }))
    }

    @Test("off by default; on, the documented defaults")
    func defaults() throws {
        #expect(try configuration().ingress == nil)
        let ingress = try #require(try configuration(["PROJECTION_INGRESS": "true", "PROJECTION_INGRESS_TOKENS": tokens]).ingress)
        #expect(ingress.subjects.template == "facts.{tenant}.{type}")
        #expect(ingress.maxBodyBytes == 1 << 20 && ingress.maxBatchEvents == 1_000)
        #expect(ingress.publishTimeout == .seconds(5) && ingress.maxWait == .seconds(30) && ingress.bodyTimeout == .seconds(10))
        #expect(ingress.stream == "FACTS" && ingress.maxFactBytes == 1 << 20)
        #expect(ingress.maxInflightBytes == 16 << 20 && ingress.maxWaiters == 64)
    }

    @Test("refused: no tokens, a template the tenant binding or the subjects disagree with, replica mode")
    func refused() {
        let on = ["PROJECTION_INGRESS": "true", "PROJECTION_INGRESS_TOKENS": tokens]
        #expect(throws: ConfigurationError.self) { try configuration(["PROJECTION_INGRESS": "true"]) }
        #expect(throws: ConfigurationError.self) { try configuration(on.merging(["PROJECTION_TENANT_SUBJECT_TOKEN": "3"]) { $1 }) }
        #expect(throws: ConfigurationError.self) { try configuration(on.merging(["PROJECTION_SUBJECTS": "other.>"]) { $1 }) }
        #expect(throws: ConfigurationError.self) { try configuration(on.merging(["PROJECTION_PARTITIONS": "2"]) { $1 }) }
        #expect(throws: ConfigurationError.self) { try configuration(on.merging(["PROJECTION_INGRESS_TOKENS_FILE": "/nonexistent/tokens"]) { $1 }) }
        #expect((try? configuration(on.merging(["PROJECTION_TENANT_SUBJECT_TOKEN": "2"]) { $1 }))?.ingress != nil)
        // An in-flight budget smaller than one largest body would refuse that body forever.
        #expect(throws: ConfigurationError.self) {
            try configuration(on.merging(["PROJECTION_INGRESS_MAX_BODY_BYTES": "65536", "PROJECTION_INGRESS_MAX_INFLIGHT_BYTES": "65535"]) { $1 })
        }
        #expect((try? configuration(on.merging(["PROJECTION_INGRESS_MAX_BODY_BYTES": "65536", "PROJECTION_INGRESS_MAX_INFLIGHT_BYTES": "65536"]) { $1 }))?.ingress != nil)
    }
}
