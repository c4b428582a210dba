/// An invalid setting, found at startup. The description names the setting and never echoes a value
/// that may hold a secret.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case missing, invalid, unreadableFile
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        public static let missing = Code(.missing)
        public static let invalid = Code(.invalid)
        public static let unreadableFile = Code(.unreadableFile)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The setting's name, e.g. `PROJECTION_STORE_DSN`.
    public var setting: String
    /// What is wrong, safe to show.
    public var reason: String

    public init(code: Code, setting: String, reason: String) {
        self.code = code
        self.setting = setting
        self.reason = reason
    }

    public var description: String {
        switch code {
        case .missing: "configuration: \(setting) is required: \(reason)"
        case .unreadableFile: "configuration: cannot read \(setting): \(reason)"
        default: "configuration: \(setting) is invalid: \(reason)"
        }
    }
}
