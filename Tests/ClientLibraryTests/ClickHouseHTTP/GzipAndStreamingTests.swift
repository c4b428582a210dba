import Foundation
import Testing
@testable import ClickHouseHTTP

@Suite("Gzip and body streaming")
struct GzipAndStreamingTests {
    private static func sample(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 7) }
    }

    @Test func oneShotGzipRoundTrips() throws {
        let input = Self.sample(200_000)
        let gzipped = try GzipCompressor.gzip(input)
        #expect(Array(gzipped.prefix(2)) == [0x1F, 0x8B])
        #expect(GzipCompressor.gunzip(gzipped, maxOutput: input.count + 1) == input)
    }

    @Test func streamingGzipOfChunksEqualsTheConcatenation() throws {
        let chunks = (0..<10).map { Self.sample(1000 + $0 * 777) }
        let source = try GzipChunkSource(PrefixedChunkSource(prefix: chunks, rest: BufferChunkSource([])), level: 3)
        var compressed: [UInt8] = []
        while let piece = try source.nextChunk() { compressed += piece }
        let expected = chunks.flatMap { $0 }
        #expect(GzipCompressor.gunzip(compressed, maxOutput: expected.count + 1) == expected)
    }

    @Test("Gzip.decompress grows its output: a small body under a 64 MiB cap gets a small buffer")
    func decompressDoesNotAllocateTheCap() throws {
        let cap = 64 << 20
        let small = Array(String(repeating: "projection ", count: 100).utf8)
        let inflated = try Gzip.decompress(try #require(Gzip.compress(small)), maxBytes: cap)
        #expect(inflated == small)
        #expect(inflated.capacity < 1 << 20, "capacity \(inflated.capacity)")
        // Many chunks, still exact.
        let large = Self.sample(5 << 20)
        #expect(try Gzip.decompress(try #require(Gzip.compress(large)), maxBytes: cap) == large)
    }

    @Test("Gzip.decompress keeps the cap: exactly the cap passes, one byte more is tooLarge; truncated input is corrupt")
    func decompressKeepsTheCap() throws {
        let body = Self.sample(300_000)
        let compressed = try #require(Gzip.compress(body))
        #expect(try Gzip.decompress(compressed, maxBytes: body.count) == body)
        #expect(throws: Gzip.InflateFailure.tooLarge) { try Gzip.decompress(compressed, maxBytes: body.count - 1) }
        let bomb = try #require(Gzip.compress([UInt8](repeating: 0, count: 64 << 20)))
        #expect(throws: Gzip.InflateFailure.tooLarge) { try Gzip.decompress(bomb, maxBytes: 1 << 20) }
        #expect(throws: Gzip.InflateFailure.corrupt) { try Gzip.decompress(Array(compressed.dropLast(100)), maxBytes: 1 << 20) }
        #expect(throws: Gzip.InflateFailure.corrupt) { try Gzip.decompress(Array("not gzip".utf8), maxBytes: 100) }
    }

    /// RFC 1952: members back to back are one stream (gzip, Go and Python decode them all); the first
    /// member used to end it, and what followed was dropped without a word.
    @Test("Gzip.decompress reads every member, within one cap; bytes after a member that are no member are corrupt")
    func members() throws {
        let parts = [Self.sample(70_000), Array("x".utf8), [], Self.sample(20_000)]
        let stream = try parts.flatMap { try #require(Gzip.compress($0)) }
        let whole = parts.flatMap { $0 }
        #expect(try Gzip.decompress(stream, maxBytes: whole.count) == whole)
        #expect(throws: Gzip.InflateFailure.tooLarge) { try Gzip.decompress(stream, maxBytes: whole.count - 1) }
        let first = try #require(Gzip.compress(parts[0]))
        for trailer: [UInt8] in [[0], [0x1F], Array("junk".utf8), [0x1F, 0x8B], Array(first.prefix(20))] {
            #expect(throws: Gzip.InflateFailure.corrupt, "\(trailer)") { try Gzip.decompress(first + trailer, maxBytes: 1 << 20) }
        }
    }

    @Test func corruptGzipIsRejected() {
        #expect(GzipCompressor.gunzip([0x1F, 0x8B, 1, 2, 3], maxOutput: 100) == nil)
    }

    @Test func bridgeDeliversChunksInOrderToABlockingReader() async throws {
        let bridge = BodyStreamBridge(capacity: 2)
        let producer = Task {
            await bridge.produce { consume in
                for index in 0..<50 { guard await consume([UInt8(index)]) else { return } }
            }
        }
        let received: [UInt8] = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var all: [UInt8] = []
                do {
                    while let chunk = try bridge.next(deadline: Date().addingTimeInterval(30)) { all += chunk }
                    continuation.resume(returning: all)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        await producer.value
        #expect(received == (0..<50).map { UInt8($0) })
    }

    @Test func bridgePassesTheProducersError() async throws {
        struct SourceFailed: Error {}
        let bridge = BodyStreamBridge()
        await bridge.produce { consume in
            _ = await consume([1])
            throw SourceFailed()
        }
        #expect(try bridge.next(deadline: Date().addingTimeInterval(5)) == [1])
        #expect(throws: SourceFailed.self) { try bridge.next(deadline: Date().addingTimeInterval(5)) }
    }

    @Test func cancelReleasesAWaitingProducer() async {
        let bridge = BodyStreamBridge(capacity: 1)
        let producer = Task { await bridge.push([1]) }
        // Capacity 1: the producer stays suspended until the chunk is taken or the bridge stops.
        bridge.cancel()
        let accepted = await producer.value
        #expect(bridge.isCancelled)
        #expect(accepted == false)
        #expect(await bridge.push([2]) == false)
    }
}
