import CLibPQ
import Dispatch
import Foundation

/// Stops a statement that blocks the connection's queue, from any thread: a libpq cancel request
/// (`PQcancel` on a `PGcancel` made at connect time) asks the server to stop, and shutting the
/// socket down releases the blocked libpq call even when the network no longer answers.
///
/// Once interrupted the connection is finished: later statements fail at once.
final class StatementInterrupter: @unchecked Sendable {
    private let lock = NSLock()
    /// Owned here; freed in deinit, after any cancel request that uses it has returned.
    private let cancel: OpaquePointer?
    /// The socket of the statement running now, or -1.
    private var runningSocket: Int32 = -1
    private var interrupted = false

    init(handle: OpaquePointer) {
        cancel = PQgetCancel(handle)
    }

    deinit {
        if let cancel { PQfreeCancel(cancel) }
    }

    /// Called on the queue before a statement; false when the connection was already interrupted.
    func begin(_ handle: OpaquePointer) -> Bool {
        lock.withLock {
            guard !interrupted else { return false }
            runningSocket = PQsocket(handle)
            return true
        }
    }

    /// Called on the queue after the statement returned.
    func end() {
        lock.withLock { runningSocket = -1 }
    }

    var isInterrupted: Bool { lock.withLock { interrupted } }

    /// Sends the cancel request in the background and shuts the running statement's socket down.
    ///
    /// The socket is only touched while a statement runs: the queue cannot close it (PQfinish)
    /// before `end()`, so the descriptor cannot have been reused by then.
    func interrupt() {
        lock.withLock {
            interrupted = true
            if runningSocket >= 0 { _ = shutdown(runningSocket, Int32(SHUT_RDWR)) }
        }
        guard cancel != nil else { return }
        // PQcancel blocks while it talks to the server (keepalive and tcp_user_timeout settings
        // bound it), so it never runs on the caller's thread.
        DispatchQueue.global().async { [self] in
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(cancel, &buffer, Int32(buffer.count))
        }
    }
}
