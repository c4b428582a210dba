/// An admin request that cannot be carried out now. `description` is safe to show.
public struct AdminError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable {
            case conflict
            case invalidArgument = "invalid_argument"
        }
        fileprivate let base: Base
        /// The pipeline is not in a state that allows it (e.g. reload without pause).
        public static let conflict = Code(base: .conflict)
        /// The request names too little to act on (answered 400).
        public static let invalidArgument = Code(base: .invalidArgument)
        public var description: String { base.rawValue }
    }

    public var code: Code
    public var detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail }
}
