import Hummingbird
import HummingbirdCore

/// The HTTP/1 server both executables run: the idle timeout closes connections that send nothing (idle,
/// or stalled mid-request), the header read timeout those whose headers trickle in.
public enum GuardedHTTP1 {
    /// With `bodyReadTimeout`, a request body that is not complete within `readTimeout` of its head
    /// ends its body stream with `BodyReadTimedOut` (see `BodyReadTimeoutHandler`).
    public static func server(readTimeout: Duration, idleTimeout: Duration, bodyReadTimeout: Bool = false) -> HTTPServerBuilder {
        // `additionalChannelHandlers` is evaluated per connection: each gets its own handler.
        .http1(configuration: .init(
            additionalChannelHandlers: bodyReadTimeout
                ? [HeaderReadTimeoutHandler(timeout: readTimeout), BodyReadTimeoutHandler(timeout: readTimeout)]
                : [HeaderReadTimeoutHandler(timeout: readTimeout)],
            idleTimeout: .init(idleTimeout)))
    }
}
