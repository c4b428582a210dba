import Columnstore
import Logging
import Prometheus
import ServiceLifecycle
import StoreBackends

extension IngestCommand {
    /// One consumer: the pipeline over the backend's store, beside the HTTP endpoints, until drained.
    struct SingleConsumer: ProjectionStoreVisitor {
        let backend: StoreBackend
        let configuration: IngestConfiguration
        let schema: ProjectionSchema
        let build: BuildInfo
        let status: IngestStatus
        let registry: PrometheusCollectorRegistry
        let logger: Logger

        func visit<Store: ProjectionStore>(_ makeStore: @escaping @Sendable () -> Store) async throws {
            let pipeline = IngestPipeline(configuration: configuration, store: makeStore(), schema: schema, status: status, logger: logger)
            try await IngestCommand.runServices(pipeline, backend: backend, configuration: configuration, schema: schema, build: build, status: status, registry: registry, logger: logger)
        }
    }

    /// Replica mode: the coordinator that opens a store per partition it takes.
    struct ReplicaCoordinator: ProjectionStoreVisitor {
        let configuration: IngestConfiguration
        let schema: ProjectionSchema
        let status: ReplicaStatus
        let logger: Logger

        func visit<Store: ProjectionStore>(_ makeStore: @escaping @Sendable () -> Store) async throws -> any Service {
            SpecializedService(PartitionCoordinator(configuration: configuration, schema: schema, status: status, logger: logger, makeStore: makeStore))
        }
    }
}
