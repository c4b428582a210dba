/// A closure handed to the connection's queue once; it is released before the caller resumes.
final class HandleJob<T>: @unchecked Sendable {
    private var body: ((OpaquePointer) throws -> T)?

    init(_ body: @escaping (OpaquePointer) throws -> T) { self.body = body }

    func run(_ handle: OpaquePointer?) -> Result<T, any Error> {
        guard let body else { return .failure(PostgresError.closedConnection) }
        self.body = nil
        guard let handle else { return .failure(PostgresError.closedConnection) }
        return Result { try body(handle) }
    }
}
