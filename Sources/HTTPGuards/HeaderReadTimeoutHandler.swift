import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request headers are not complete within `timeout` of the connection's
/// start or of the first byte of a later request. The idle timeout cannot catch a client that trickles
/// header bytes just often enough, and the body has its own deadline (the query API's
/// `BodyReadTimeoutHandler`, the ingress's body timeout). A connection that sends nothing at all is
/// closed after `timeout` too, not after the (longer) idle timeout.
///
/// It also bounds what NIO's HTTP decoder may hold: bytes that arrive without the decoder producing a
/// request part are counted, and past `maxUndecodedBytes` the connection is closed. The decoder stops
/// parsing for good after a request that asks to switch protocols (`Upgrade` with `Connection: upgrade`,
/// or CONNECT) and then keeps every further byte in its buffer, unbounded. Such a request is served as if
/// it had not asked (RFC 9110 lets a server ignore `Upgrade`, so `curl --http2`'s `Upgrade: h2c` still
/// gets its answer), with `Connection: close`, and the connection is closed once that answer is written.
///
/// It sits after the HTTP decoder (so it sees where a head ends) and puts a `FirstByteObserver`
/// at the front of the pipeline (so it sees where one starts and how many bytes came).
public final class HeaderReadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// Far above what a well-behaved client can make the decoder hold (a head is at most 80 KiB in
    /// Hummingbird's decoder, one socket read at most 64 KiB), far below what hurts the process.
    public static let defaultMaxUndecodedBytes = 1 << 20

    private enum State { case awaitingRequest, readingHead, inRequest }
    private var state = State.awaitingRequest
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private let timeout: TimeAmount
    private let maxUndecodedBytes: Int
    /// Bytes received since the decoder last produced a request part.
    private var undecodedBytes = 0
    /// The request under way asked to switch protocols: the decoder will parse nothing after it.
    private var closeAfterResponse = false

    public init(timeout: Duration, maxUndecodedBytes: Int = HeaderReadTimeoutHandler.defaultMaxUndecodedBytes) {
        self.timeout = TimeAmount(timeout)
        self.maxUndecodedBytes = maxUndecodedBytes
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        try? context.pipeline.syncOperations.addHandler(FirstByteObserver(owner: self), position: .first)
        // Added to a connection already open: its first head is awaited from now (else from `channelActive`).
        if context.channel.isActive { headStarts() }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        // A new connection owes its first head from now: one that sends nothing is not left to the idle timeout.
        headStarts()
        context.fireChannelActive()
    }

    /// `count` bytes reached the connection: when no request is under way, a head starts now.
    func bytesArrived(_ count: Int) {
        undecodedBytes += count
        if undecodedBytes > maxUndecodedBytes {
            context?.close(promise: nil)
            return
        }
        headStarts()
    }

    private func headStarts() {
        guard state == .awaitingRequest, let context else { return }
        state = .readingHead
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            self?.context?.close(promise: nil)
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        undecodedBytes = 0
        guard case .head(var request) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        timer?.cancel()
        timer = nil
        state = .inRequest
        if Self.asksToSwitchProtocols(request) {
            closeAfterResponse = true
            // Hummingbird then reads no further request from this connection.
            request.headerFields[.connection] = "close"
            context.fireChannelRead(wrapInboundOut(.head(request)))
            return
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard closeAfterResponse else {
            if case .end = unwrapOutboundIn(data), state == .inRequest { state = .awaitingRequest }
            context.write(data, promise: promise)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(var response):
            response.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            // Closed once the answer is written (closing at once could cut a large answer short).
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            written.futureResult.cascade(to: promise)
            context.write(data, promise: written)
        }
    }

    /// Whether NIO's decoder stops parsing after this request: CONNECT, or an `Upgrade` header (the
    /// decoder also wants `Connection: upgrade`; closing after the rare request without it costs nothing).
    static func asksToSwitchProtocols(_ request: HTTPRequest) -> Bool {
        request.method == .connect || request.headerFields[.upgrade] != nil
    }
}
