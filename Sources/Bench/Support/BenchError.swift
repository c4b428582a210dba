/// A benchmark driver failure, safe to print: DSNs in it are redacted by the thrower.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidArgument, timeout, unexpectedResponse, connection, mismatch
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        public static let invalidArgument = Code(.invalidArgument)
        public static let timeout = Code(.timeout)
        public static let unexpectedResponse = Code(.unexpectedResponse)
        public static let connection = Code(.connection)
        public static let mismatch = Code(.mismatch)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What was being done, e.g. `raw-nats`.
    public var operation: String
    public var detail: String

    public init(_ code: Code, operation: String, _ detail: String) {
        self.code = code
        self.operation = operation
        self.detail = detail
    }

    public var description: String { "\(operation): \(code): \(detail)" }
}
