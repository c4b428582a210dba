import Columnstore

/// What runs the ingest over a store whose concrete type only `StoreBackend` knows: Swift has no generic
/// closures, so the generic step is a method. `makeStore` is called once per consumer (once, or once per
/// partition in replica mode).
public protocol ProjectionStoreVisitor: Sendable {
    associatedtype Result: Sendable
    func visit<Store: ProjectionStore>(_ makeStore: @escaping @Sendable () -> Store) async throws -> Result
}
