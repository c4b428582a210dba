import Foundation
import NIOCore
import NIOPosix

/// A loopback TCP proxy to a real server that can delay every chunk it relays, in both directions, by a
/// set latency (a slow network path or an overloaded store). Order is kept: each connection direction
/// queues its chunks and releases them in arrival order once each one's delay has passed.
final class LatencyProxy: @unchecked Sendable {
    private let lock = NSLock()
    private var delay: TimeAmount = .zero
    private var channels: [any Channel] = []
    private var server: (any Channel)?

    var port: Int { server?.localAddress?.port ?? 0 }
    var latency: TimeAmount { lock.withLock { delay } }

    /// Listens on 127.0.0.1 (an ephemeral port) and relays to `targetHost:targetPort`.
    static func start(targetHost: String, targetPort: Int) async throws -> LatencyProxy {
        let proxy = LatencyProxy()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop)
                    .channelInitializer { outbound in
                        proxy.track(outbound)
                        return outbound.pipeline.addHandler(Relay(peer: inbound, proxy: proxy))
                    }
                    .connect(host: targetHost, port: targetPort)
                    .flatMap { outbound in
                        proxy.track(inbound)
                        return inbound.pipeline.addHandler(Relay(peer: outbound, proxy: proxy))
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        proxy.lock.withLock { proxy.server = server }
        return proxy
    }

    /// Every chunk relayed from now on waits `latency` (zero: none) before it is passed on.
    func setLatency(_ latency: Duration) {
        let (seconds, attoseconds) = latency.components
        lock.withLock { delay = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000) }
    }

    /// Closes the listener and every relayed connection.
    func stop() async {
        let all = lock.withLock { (server.map { [$0] } ?? []) + channels }
        for channel in all { try? await channel.close() }
    }

    fileprivate func track(_ channel: any Channel) {
        lock.withLock { channels.append(channel) }
    }

    /// Forwards what one side reads to the other after the proxy's latency. Both channels of a
    /// connection share one event loop, so the queue needs no lock.
    private final class Relay: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let peer: any Channel
        let proxy: LatencyProxy
        private var queue: [(due: NIODeadline, data: ByteBuffer)] = []
        private var closeWhenEmpty = false

        init(peer: any Channel, proxy: LatencyProxy) {
            self.peer = peer
            self.proxy = proxy
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            let latency = proxy.latency
            guard latency > .zero || !queue.isEmpty else {
                peer.writeAndFlush(buffer, promise: nil)
                return
            }
            // A later chunk never overtakes an earlier one, even when the latency was just lowered.
            let due = max(NIODeadline.now() + latency, queue.last?.due ?? .now())
            queue.append((due, buffer))
            context.eventLoop.scheduleTask(deadline: due) { self.release() }
        }

        func channelInactive(context: ChannelHandlerContext) {
            if queue.isEmpty { peer.close(promise: nil) } else { closeWhenEmpty = true }
            context.fireChannelInactive()
        }

        private func release() {
            let now = NIODeadline.now()
            while let first = queue.first, first.due <= now {
                queue.removeFirst()
                peer.writeAndFlush(first.data, promise: nil)
            }
            if queue.isEmpty, closeWhenEmpty { peer.close(promise: nil) }
        }
    }
}
