import ServiceLifecycle

/// A service run through a closure formed where its concrete type is known.
///
/// The pipeline (and replica mode's coordinator) is generic over its store, whose type is known only
/// inside the backend's visitor. Handed to `ServiceGroup` as `any Service`, its `run()` is called through
/// the generic conformance: unspecialised code that looks up generic metadata on every action, about
/// 1 µs of CPU per fact on ClickHouse against the pre-generic build. Wrapped here by the visitor's
/// specialised code, the closure calls the specialised `run()`, and everything it calls is specialised too.
struct SpecializedService: Service, CustomStringConvertible {
    let description: String
    private let body: @Sendable () async throws -> Void

    init<Wrapped: Service>(_ service: Wrapped) {
        description = String(describing: service)
        body = { try await service.run() }
    }

    func run() async throws {
        try await body()
    }
}
