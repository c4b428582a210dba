/// A query file that is missing or does not fit its RPC, found at startup.
/// The description names the file and the field, never a runtime value.
public struct QueryCatalogError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case missingFile, invalidSQL, parameterMismatch, unsupportedField, noQueryService
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// An RPC has no query file for the configured store.
        public static let missingFile = Code(.missingFile)
        /// The file is empty, holds several statements or has a malformed placeholder.
        public static let invalidSQL = Code(.invalidSQL)
        /// Placeholders and request fields differ (name, type or the tenant filter).
        public static let parameterMismatch = Code(.parameterMismatch)
        /// The request message has a field the API cannot bind (repeated, nested message).
        public static let unsupportedField = Code(.unsupportedField)
        /// The projection declares no query service.
        public static let noQueryService = Code(.noQueryService)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The RPC, e.g. `GetDailySales`.
    public var method: String?
    /// The query file.
    public var path: String?
    public var reason: String

    public init(_ code: Code, method: String? = nil, path: String? = nil, _ reason: String) {
        self.code = code
        self.method = method
        self.path = path
        self.reason = reason
    }

    public var description: String {
        var text = "query catalog"
        if let method { text += " (\(method)" + (path.map { ", \($0)" } ?? "") + ")" }
        return text + ": \(reason)"
    }
}
