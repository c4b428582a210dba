/// How result rows are placed in a query response.
public enum QueryResponseShape: Sendable, Hashable {
    /// The response has one repeated message field holding every row (e.g. `rows`).
    case rows(field: String)
    /// The response has one message field holding the single row; no row means not found.
    case single(field: String)
    /// The response message itself is the single row; no row means not found.
    case message
}
