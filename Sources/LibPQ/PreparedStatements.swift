/// The named statements prepared on one connection, by SQL text; touched only on the connection's queue.
///
/// A prepared statement is parsed and analysed once per connection instead of once per call.
/// The number is bounded so callers with ever-new SQL cannot grow the server session without end;
/// past the bound statements run unnamed, as before.
struct PreparedStatements {
    static let capacity = 64
    private var names: [String: String] = [:]
    private var counter = 0
    /// Set when the server lost a statement it had prepared (a transaction-mode pooler between us
    /// and Postgres does that): from then on this connection runs every statement unnamed.
    private(set) var disabled = false

    func name(for sql: String) -> String? { names[sql] }

    /// Whether a new statement may be prepared.
    var hasRoom: Bool { !disabled && names.count < Self.capacity }

    /// A fresh statement name for `sql` (the caller prepares it, then calls `add`).
    mutating func nextName() -> String {
        counter += 1
        return "projection_q\(counter)"
    }

    mutating func add(_ sql: String, name: String) { names[sql] = name }

    mutating func remove(_ sql: String) { names[sql] = nil }

    mutating func disable() {
        disabled = true
        names.removeAll()
    }
}
