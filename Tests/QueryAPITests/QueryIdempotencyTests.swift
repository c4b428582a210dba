import Columnstore
import Foundation
@testable import Migrate
@testable import QueryAPI
import Testing

/// `option idempotency_level = NO_SIDE_EFFECTS;` from the descriptor set, and the generator's
/// warning for query RPCs without it.
@Suite("Query RPC idempotency")
struct QueryIdempotencyTests {
    @Test("the example protos mark every query RPC NO_SIDE_EFFECTS; the loader reads it")
    func examples() throws {
        let sensors = try ProjectionSchema(descriptorSetAt: FixtureFiles.repositoryRoot.appendingPathComponent("examples/sensor-readings/sensor_readings.binpb").path)
        for schema in [ProjectionSchema.ordersAnalytics, sensors] {
            let methods = try #require(schema.queryService?.methods)
            #expect(!methods.isEmpty)
            #expect(methods.allSatisfy { $0.hasNoSideEffects }, "\(schema.name)")
            #expect(GenerateCommand.queryWarnings(schema).isEmpty)
        }
    }

    @Test("a query RPC without NO_SIDE_EFFECTS gets a warning naming it")
    func warning() throws {
        // Fixture compiled from Fixtures/proto/orders_analytics_v2.proto, which does not mark its RPCs.
        let schema = try ProjectionSchema(descriptorSet: try FixtureFiles.bytes("orders_analytics_v2.binpb"))
        let warnings = GenerateCommand.queryWarnings(schema)
        #expect(warnings.count == schema.queryService?.methods.count)
        #expect(warnings.first?.contains("NO_SIDE_EFFECTS") == true)
        #expect(warnings.first?.contains("GetDailySales") == true)
    }

    @Test("response field numbers, wire encodings and enum values come from the descriptor set")
    func wireDetails() throws {
        let service = try #require(ProjectionSchema.ordersAnalytics.queryService)
        #expect(service.methods.allSatisfy { $0.responseFieldNumber == 1 })
        let rowFields = service.methods.flatMap { $0.rowFields }
        #expect(rowFields.allSatisfy { $0.encoding == .plain })
    }
}
