import Foundation
import NIOCore
import NIOPosix

/// A bare TCP connection for playing a hostile HTTP client: it sends exactly the bytes it is given
/// (half a request, or nothing) and records what comes back and whether the server closed it.
final class RawHTTPConnection: @unchecked Sendable {
    let channel: any Channel
    private let sink: ReceivedBytes

    private init(channel: any Channel, sink: ReceivedBytes) {
        self.channel = channel
        self.sink = sink
    }

    static func open(host: String = "localhost", port: Int) async throws -> RawHTTPConnection {
        let sink = ReceivedBytes()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ReceivedBytes.Handler(sink: sink)) }
            }
            .connect(host: host, port: port).get()
        return RawHTTPConnection(channel: channel, sink: sink)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    var received: String { sink.text }
    var isOpen: Bool { channel.isActive }

    /// Polls until the server has closed the connection; false if it is still open after `limit`.
    func waitUntilClosed(within limit: Duration) async -> Bool {
        let end = ContinuousClock.now + limit
        while channel.isActive, ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(20)) }
        return !channel.isActive
    }

    /// Sends one byte (`a`) every 200 ms, so the connection is never idle, until the server closes it;
    /// false if it is still open after `limit`.
    func trickleUntilClosed(within limit: Duration) async -> Bool {
        let end = ContinuousClock.now + limit
        while channel.isActive, ContinuousClock.now < end {
            try? await send("a")
            try? await Task.sleep(for: .milliseconds(200))
        }
        return !channel.isActive
    }

    /// Polls for the status code of the first response; nil if none arrived within `limit`.
    func waitForStatus(within limit: Duration) async -> Int? {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            let text = received
            if text.hasPrefix("HTTP/1.1 "), text.count >= 12 { return Int(text.dropFirst(9).prefix(3)) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    func close() {
        channel.close(promise: nil)
    }
}
