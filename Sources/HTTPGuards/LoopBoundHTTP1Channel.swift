import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 child channel, with each connection's task pinned to the connection's event loop.
///
/// The request stream, the handler and the response writes then run on the thread that does the
/// connection's I/O. A job resumed from elsewhere (a libpq queue, a timer) still lands on that loop, with
/// one wake-up. Measured effect: see docs/BENCHMARKS.md, "Query API overhead, fifth pass".
struct LoopBoundHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let inner: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }
}
