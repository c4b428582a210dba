import Hummingbird
import HummingbirdCore

/// The HTTP/1 server both executables run: the idle timeout closes connections that send nothing (idle,
/// or stalled mid-request), the header read timeout those whose headers trickle in.
public enum GuardedHTTP1 {
    public static func server(readTimeout: Duration, idleTimeout: Duration) -> HTTPServerBuilder {
        // `additionalChannelHandlers` is evaluated per connection: each gets its own handler.
        .http1(configuration: .init(
            additionalChannelHandlers: [HeaderReadTimeoutHandler(timeout: readTimeout)],
            idleTimeout: .init(idleTimeout)))
    }
}
