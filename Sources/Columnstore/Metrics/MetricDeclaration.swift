/// One metric a service exports: its Prometheus name, type and `# HELP` text. Declared once in
/// `MetricCatalog`; the exposition's help lines and docs/OPERATIONS.md's table follow it.
public struct MetricDeclaration: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    public let name: String
    public let kind: Kind
    public let help: String

    public init(_ name: String, _ kind: Kind, _ help: String) {
        self.name = name
        self.kind = kind
        self.help = help
    }
}
