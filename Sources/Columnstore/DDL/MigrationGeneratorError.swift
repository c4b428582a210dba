/// Why migrations could not be generated.
public struct MigrationGeneratorError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case destructiveChange
            case projectionMismatch
            case invalidLock
            case unsupportedStore
            case invalidCluster
            case io
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The schema change can lose data and `allowDestructive` is off.
        public static let destructiveChange = Code(.destructiveChange)
        /// The output directory holds migrations of another projection.
        public static let projectionMismatch = Code(.projectionMismatch)
        /// `schema.lock.json` is unreadable or of an unknown format.
        public static let invalidLock = Code(.invalidLock)
        /// The projection does not list the requested store.
        public static let unsupportedStore = Code(.unsupportedStore)
        public static let invalidCluster = Code(.invalidCluster)
        /// Reading or writing the output directory failed.
        public static let io = Code(.io)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// Output directory concerned, if any.
    public var directory: String?
    public var reason: String

    public init(_ code: Code, directory: String? = nil, _ reason: String) {
        self.code = code
        self.directory = directory
        self.reason = reason
    }

    public var description: String {
        directory.map { "\($0): \(reason)" } ?? reason
    }
}
