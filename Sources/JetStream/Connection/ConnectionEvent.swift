/// A change of connection state reported by libnats, delivered on `NATSConnection.events`.
public enum ConnectionEvent: Sendable, Equatable {
    /// The connection to the server was lost; libnats is reconnecting (if allowed).
    case disconnected
    /// The connection was re-established; subscriptions were restored by libnats.
    case reconnected
    /// The connection is closed for good (by `close()` or after giving up reconnecting).
    case closed
    /// An asynchronous error, such as a slow consumer; carries libnats' status text.
    case asyncError(String)
}
