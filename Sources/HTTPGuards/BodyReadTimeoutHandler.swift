import NIOCore
import NIOHTTPTypes

/// Fails a request whose body has not fully arrived within `timeout` of its head: the request's body
/// stream then throws `BodyReadTimedOut`, which the route answers (the query API: 504). The deadline
/// is kept on the event loop, and armed only when a read ends with the body still incomplete, so a
/// request that arrives whole (nearly every one) costs no timer, and the route reads its body in its
/// own task (a timer task beside the read cost a child task and a dispatch timer per request).
public final class BodyReadTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    /// A head has arrived and its end not yet.
    private var inRequest = false
    private var timer: Scheduled<Void>?

    public init(timeout: Duration) {
        self.timeout = TimeAmount(timeout)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            inRequest = true
        case .end:
            inRequest = false
            timer?.cancel()
            timer = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        // The head's read is over and the end has not come with it: the deadline starts now.
        if inRequest, timer == nil {
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
                guard let self, self.inRequest else { return }
                self.timer = nil
                context.fireErrorCaught(BodyReadTimedOut())
            }
        }
        context.fireChannelReadComplete()
    }
}
