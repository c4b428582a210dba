/// Carries a libnats pointer across a queue boundary. libnats objects are internally
/// locked, so handing the pointer to another thread is safe; this type stays internal.
struct CPointer: @unchecked Sendable {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
}
