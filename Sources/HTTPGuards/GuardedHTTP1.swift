import Hummingbird
import HummingbirdCore

/// The HTTP/1 server both executables run: the idle timeout closes connections that send nothing (idle,
/// or stalled mid-request), the header read timeout those that send no head or trickle one in (and
/// bounds the bytes the decoder holds, see `HeaderReadTimeoutHandler`), the write stall timeout those
/// that stop reading their answers.
public enum GuardedHTTP1 {
    /// `readTimeout` bounds the head and a stalled write (see `WriteStallTimeoutHandler`). With
    /// `bodyReadTimeout`, a request body that is not complete within it of its head ends its body stream
    /// with `BodyReadTimedOut` (see `BodyReadTimeoutHandler`).
    public static func server(readTimeout: Duration, idleTimeout: Duration, bodyReadTimeout: Duration? = nil) -> HTTPServerBuilder {
        // `additionalChannelHandlers` is evaluated per connection: each gets its own handlers.
        let configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [HeaderReadTimeoutHandler(timeout: readTimeout), WriteStallTimeoutHandler(timeout: readTimeout)]
                + (bodyReadTimeout.map { [BodyReadTimeoutHandler(timeout: $0)] } ?? []),
            idleTimeout: .init(idleTimeout))
        return HTTPServerBuilder { responder in
            LoopBoundHTTP1Channel(inner: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}
