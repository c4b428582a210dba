/// A path into a fact's JSON `data`, e.g. `["order", "id"]` for `order.id`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    /// Object keys from the root of `data`.
    public var components: [String]

    public init(_ components: [String]) {
        self.components = components
    }

    /// Parses a dotted path; `nil` when it is empty or has an empty component.
    public init?(dotted: String) {
        let parts = dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else { return nil }
        self.components = parts
    }

    public var description: String { components.joined(separator: ".") }
}
