/// A projection: the facts it consumes, the tables it maintains and its query API.
///
/// Built from annotated proto descriptors (see `docs/ANNOTATIONS.md`) and
/// validated on load, so consumers can rely on every reference resolving.
public struct ProjectionSchema: Sendable, Hashable {
    /// Projection name, e.g. `orders-analytics`.
    public var name: String
    /// Stores the projection can be materialized in.
    public var storeKinds: [StoreKind]
    public var bindings: [FactBinding]
    /// Tables in declaration order.
    public var tables: [TableSchema]
    public var queryService: QueryServiceSchema?

    public init(
        name: String, storeKinds: [StoreKind], bindings: [FactBinding], tables: [TableSchema],
        queryService: QueryServiceSchema? = nil
    ) {
        self.name = name
        self.storeKinds = storeKinds
        self.bindings = bindings
        self.tables = tables
        self.queryService = queryService
    }

    /// Tables fed by a fact type.
    public func tables(consuming factType: String) -> [TableSchema] {
        tables.filter { $0.consumes(factType: factType) }
    }

    /// The binding of a fact type, if the projection consumes it.
    public func binding(forFactType factType: String) -> FactBinding? {
        bindings.first { $0.factType == factType }
    }

    /// The table with a physical name.
    public func table(named name: String) -> TableSchema? {
        tables.first { $0.name == name }
    }
}
