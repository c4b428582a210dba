import NIOCore

/// Tells a `HeaderReadTimeoutHandler` when raw bytes arrive, and how many, before the HTTP decoder sees them.
final class FirstByteObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private weak var owner: HeaderReadTimeoutHandler?

    init(owner: HeaderReadTimeoutHandler) {
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.bytesArrived(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }
}
