import Foundation
import NIOCore
import NIOPosix

/// A loopback TCP proxy to a real server that can stop forwarding: after `blackhole()` every byte
/// in either direction is dropped while all connections stay open, as with a network path that
/// silently fails (no RST, no FIN).
final class BlackholeProxy: @unchecked Sendable {
    private let lock = NSLock()
    private var dropping = false
    private var channels: [any Channel] = []
    private var server: (any Channel)?

    var isBlackholed: Bool { lock.withLock { dropping } }
    var port: Int { server?.localAddress?.port ?? 0 }

    /// Listens on 127.0.0.1 (an ephemeral port) and relays to `targetHost:targetPort`.
    static func start(targetHost: String, targetPort: Int) async throws -> BlackholeProxy {
        let proxy = BlackholeProxy()
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

    func blackhole() { lock.withLock { dropping = true } }
    func restore() { lock.withLock { dropping = false } }

    /// Closes the listener and every relayed connection.
    func stop() async {
        let all = lock.withLock { (server.map { [$0] } ?? []) + channels }
        for channel in all { try? await channel.close() }
    }

    fileprivate func track(_ channel: any Channel) {
        lock.withLock { channels.append(channel) }
    }

    /// Forwards what one side reads to the other, unless the proxy is blackholed.
    private final class Relay: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let peer: any Channel
        let proxy: BlackholeProxy

        init(peer: any Channel, proxy: BlackholeProxy) {
            self.peer = peer
            self.proxy = proxy
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !proxy.isBlackholed else { return }
            peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            // A blackholed path does not pass a close on either.
            if !proxy.isBlackholed { peer.close(promise: nil) }
            context.fireChannelInactive()
        }
    }
}
