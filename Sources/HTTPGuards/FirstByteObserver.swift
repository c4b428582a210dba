import NIOCore

/// Tells a `HeaderReadTimeoutHandler` when raw bytes arrive, before the HTTP decoder sees them.
final class FirstByteObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private weak var owner: HeaderReadTimeoutHandler?

    init(owner: HeaderReadTimeoutHandler) {
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.bytesArrived()
        context.fireChannelRead(data)
    }
}
