import Columnstore
import Logging

extension IngestPipeline where Source == JetStreamSource {
    /// The pipeline as deployed: facts from the configured JetStream durable.
    public init(configuration: IngestConfiguration, store: Store, schema: ProjectionSchema, status: IngestStatus, logger: Logger, lease: PartitionLease? = nil) {
        self.init(configuration: configuration, store: store, source: JetStreamSource(configuration: configuration), schema: schema, status: status, logger: logger, lease: lease)
    }
}
