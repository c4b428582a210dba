import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request headers are not complete within `timeout` of their first
/// byte. The idle timeout cannot catch a client that trickles header bytes just often enough, and
/// the body has its own deadline (the query API's `BodyReadTimeoutHandler`, the ingress's body timeout).
///
/// It sits after the HTTP decoder (so it sees where a head ends) and puts a `FirstByteObserver`
/// at the front of the pipeline (so it sees where one starts).
public final class HeaderReadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private enum State { case awaitingRequest, readingHead, inRequest }
    private var state = State.awaitingRequest
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private let timeout: TimeAmount

    public init(timeout: Duration) {
        self.timeout = TimeAmount(timeout)
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        try? context.pipeline.syncOperations.addHandler(FirstByteObserver(owner: self), position: .first)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    /// Bytes reached the connection: when no request is under way, a head starts now.
    func bytesArrived() {
        guard state == .awaitingRequest, let context else { return }
        state = .readingHead
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            self?.context?.close(promise: nil)
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            timer?.cancel()
            timer = nil
            state = .inRequest
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), state == .inRequest { state = .awaitingRequest }
        context.write(data, promise: promise)
    }
}
