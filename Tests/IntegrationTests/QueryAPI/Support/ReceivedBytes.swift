import Foundation
import NIOCore

/// What a `RawHTTPConnection` has received so far.
final class ReceivedBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
    var count: Int { lock.withLock { bytes.count } }

    func append(_ buffer: ByteBuffer) {
        lock.withLock { bytes.append(contentsOf: buffer.readableBytesView) }
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let sink: ReceivedBytes
        init(sink: ReceivedBytes) { self.sink = sink }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            sink.append(unwrapInboundIn(data))
        }
    }
}
