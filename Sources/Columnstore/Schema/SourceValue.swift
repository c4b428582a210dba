/// Where a column value comes from in a fact.
public enum SourceValue: Sendable, Hashable {
    /// A field of the fact's `data`.
    case data(FieldPath)
    /// An envelope attribute.
    case envelope(EnvelopeAttribute)
    /// A literal, as written in the annotation (e.g. `"1"` for counts).
    case constant(String)
}
