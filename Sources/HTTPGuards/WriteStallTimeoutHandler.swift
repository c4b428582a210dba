import NIOCore
import NIOHTTPTypes

/// Closes a connection whose answers have not been able to leave for `timeout`: the channel became
/// unwritable (more than NIO's high-water mark of bytes waiting for the socket) and stayed so. Neither
/// the idle timeout (it does not run while a response is under way) nor the read deadlines catch a
/// client that pipelines requests and never reads the answers; without this it keeps the connection,
/// its request task and the answer's buffered bytes for ever. A slow reader that drains some bytes
/// within every `timeout` makes the channel writable again and is not cut.
public final class WriteStallTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    public init(timeout: Duration) {
        self.timeout = TimeAmount(timeout)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            timer?.cancel()
            timer = nil
        } else if timer == nil {
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
                guard let self, self.timer != nil else { return }
                self.timer = nil
                context.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }
}
