/// Moves a value between the caller and the connection's queue, which never use it concurrently.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
