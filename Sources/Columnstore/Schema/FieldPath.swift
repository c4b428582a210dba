/// A path into a fact's JSON `data`, e.g. `["order", "id"]` for `order.id`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    /// Object keys from the root of `data`, as the annotation spells them.
    public var components: [String]
    /// Per component, the field's other JSON spelling when the binding declares a `data_message` (its
    /// proto name for a `json_name`, and the reverse), else nil: ProtoJSON writers emit either, so a
    /// fact is read the same whichever its producer chose.
    public var alternatives: [String?]

    public init(_ components: [String], alternatives: [String?]? = nil) {
        self.components = components
        self.alternatives = alternatives ?? Array(repeating: nil, count: components.count)
    }

    /// Parses a dotted path; `nil` when it is empty or has an empty component.
    public init?(dotted: String) {
        let parts = dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else { return nil }
        self.init(parts)
    }

    public var description: String { components.joined(separator: ".") }

    /// A path is what the annotation wrote; its alternatives follow from the data message it was
    /// resolved against, so they take no part in identity.
    public static func == (lhs: FieldPath, rhs: FieldPath) -> Bool { lhs.components == rhs.components }
    public func hash(into hasher: inout Hasher) { hasher.combine(components) }
}
