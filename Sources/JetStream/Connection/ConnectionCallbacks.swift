import CNATS

/// Receives libnats' connection callbacks (on libnats' own callback thread) and forwards
/// them to `NATSConnection.events`.
///
/// libnats holds an unmanaged +1 reference as the callback closure; the closed callback,
/// always the last one delivered, releases it.
final class ConnectionCallbacks: Sendable {
    let continuation: AsyncStream<ConnectionEvent>.Continuation

    init(continuation: AsyncStream<ConnectionEvent>.Continuation) {
        self.continuation = continuation
    }

    /// Registers the callbacks on `options`; returns the retained closure pointer.
    func install(on options: OpaquePointer) throws -> UnsafeMutableRawPointer {
        let closure = Unmanaged.passRetained(self).toOpaque()
        do {
            try natsCheck(natsOptions_SetDisconnectedCB(options, { _, closure in
                ConnectionCallbacks.from(closure)?.continuation.yield(.disconnected)
            }, closure), "natsOptions_SetDisconnectedCB")
            try natsCheck(natsOptions_SetReconnectedCB(options, { _, closure in
                ConnectionCallbacks.from(closure)?.continuation.yield(.reconnected)
            }, closure), "natsOptions_SetReconnectedCB")
            try natsCheck(natsOptions_SetErrorHandler(options, { _, _, status, closure in
                let text = String(cString: natsStatus_GetText(status))
                ConnectionCallbacks.from(closure)?.continuation.yield(.asyncError(text))
            }, closure), "natsOptions_SetErrorHandler")
            try natsCheck(natsOptions_SetClosedCB(options, { _, closure in
                guard let closure else { return }
                let callbacks = Unmanaged<ConnectionCallbacks>.fromOpaque(closure).takeRetainedValue()
                callbacks.continuation.yield(.closed)
                callbacks.continuation.finish()
            }, closure), "natsOptions_SetClosedCB")
        } catch {
            Unmanaged<ConnectionCallbacks>.fromOpaque(closure).release()
            throw error
        }
        return closure
    }

    private static func from(_ closure: UnsafeMutableRawPointer?) -> ConnectionCallbacks? {
        guard let closure else { return nil }
        return Unmanaged<ConnectionCallbacks>.fromOpaque(closure).takeUnretainedValue()
    }
}
