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

    /// With `reading: false` the connection reads nothing until `startReading()` and its receive buffer
    /// is small, so the server's answers back up as behind a client that never reads.
    ///
    /// `sending` is written by the channel itself the moment the connection is up: the servers' head
    /// deadline runs from the connection's start, so a request sent after an async hop would meet a short
    /// deadline whenever the test process is descheduled for longer (a verdict depending on speed).
    static func open(host: String = "localhost", port: Int, reading: Bool = true, sending initial: String? = nil) async throws -> RawHTTPConnection {
        let sink = ReceivedBytes()
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if !reading {
            bootstrap = bootstrap.channelOption(.autoRead, value: false).channelOption(.socketOption(.so_rcvbuf), value: 4096)
        }
        let channel = try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ReceivedBytes.Handler(sink: sink))
                    if let initial { try channel.pipeline.syncOperations.addHandler(InitialBytes(initial)) }
                }
            }
            .connect(host: host, port: port).get()
        return RawHTTPConnection(channel: channel, sink: sink)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    var received: String { sink.text }
    var receivedCount: Int { sink.count }
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

    /// Sends `total` bytes of spaces in writes of `chunk`, stopping early once a write fails (the server
    /// closed the connection) or `limit` has passed; returns the bytes written.
    func stream(total: Int, chunk: Int = 1 << 20, within limit: Duration) async -> Int {
        let end = ContinuousClock.now + limit
        var sent = 0
        while sent < total, channel.isActive, ContinuousClock.now < end {
            do {
                try await channel.writeAndFlush(ByteBuffer(repeating: UInt8(ascii: " "), count: chunk)).get()
            } catch {
                break
            }
            sent += chunk
        }
        return sent
    }

    /// Reads from now on (after `open(reading: false)`).
    func startReading() async throws {
        try await channel.setOption(.autoRead, value: true).get()
        channel.read()
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Writes its bytes when the channel becomes active, then stays out of the way.
    private final class InitialBytes: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let text: String
        init(_ text: String) { self.text = text }

        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(NIOAny(ByteBuffer(string: text)), promise: nil)
            context.fireChannelActive()
        }
    }
}
