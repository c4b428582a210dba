import Foundation

/// Pulls request-body chunks on a curl handle's thread; may block. nil means the end.
protocol ChunkSource: AnyObject {
    func nextChunk() throws -> [UInt8]?
}

/// Serves an in-memory buffer as one chunk.
final class BufferChunkSource: ChunkSource {
    private var bytes: [UInt8]?

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func nextChunk() throws -> [UInt8]? {
        defer { bytes = nil }
        return bytes
    }
}

/// Serves chunks from a `BodyStreamBridge`, giving up at the request deadline.
final class BridgeChunkSource: ChunkSource {
    private let bridge: BodyStreamBridge
    private let deadline: Date

    init(_ bridge: BodyStreamBridge, deadline: Date) {
        self.bridge = bridge
        self.deadline = deadline
    }

    func nextChunk() throws -> [UInt8]? { try bridge.next(deadline: deadline) }
}

/// Replays chunks already read (to size the body) before continuing with the rest.
final class PrefixedChunkSource: ChunkSource {
    private var prefix: [[UInt8]]
    private let rest: ChunkSource

    init(prefix: [[UInt8]], rest: ChunkSource) {
        self.prefix = prefix
        self.rest = rest
    }

    func nextChunk() throws -> [UInt8]? {
        if !prefix.isEmpty { return prefix.removeFirst() }
        return try rest.nextChunk()
    }
}

/// Gzips another source on the fly.
final class GzipChunkSource: ChunkSource {
    private let upstream: ChunkSource
    private let compressor: GzipCompressor
    private var done = false

    init(_ upstream: ChunkSource, level: Int) throws {
        self.upstream = upstream
        self.compressor = try GzipCompressor(level: level)
    }

    func nextChunk() throws -> [UInt8]? {
        // deflate may hold small inputs back, so keep feeding until it emits something.
        while !done {
            if let chunk = try upstream.nextChunk() {
                let output = try compressor.compress(chunk, finish: false)
                if !output.isEmpty { return output }
            } else {
                done = true
                return try compressor.compress([], finish: true)
            }
        }
        return nil
    }
}
