import HTTPGuards
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

/// The request body's read deadline, kept on the event loop (virtual time, no I/O): a body still
/// incomplete when the deadline passes ends the request stream with `BodyReadTimedOut`; a request
/// that arrives whole arms no timer at all.
@Suite("Body read timeout on the event loop")
struct BodyReadTimeoutHandlerTests {
    static let timeout = Duration.seconds(10)

    func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(BodyReadTimeoutHandler(timeout: Self.timeout))
        return channel
    }

    static let head = HTTPRequestPart.head(HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/svc/Method"))

    /// Delivers `parts` as one read of the socket.
    func read(_ channel: EmbeddedChannel, _ parts: [HTTPRequestPart]) {
        for part in parts { channel.pipeline.syncOperations.fireChannelRead(NIOAny(part)) }
        channel.pipeline.syncOperations.fireChannelReadComplete()
    }

    @Test("a body still incomplete at the deadline ends the request with BodyReadTimedOut")
    func incompleteBodyTimesOut() throws {
        let channel = try channel()
        read(channel, [Self.head, .body(ByteBuffer(string: "{"))])
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(throws: Never.self) { try channel.throwIfErrorCaught() }
        read(channel, [.body(ByteBuffer(string: " "))])  // more bytes do not move the deadline
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(throws: BodyReadTimedOut.self) { try channel.throwIfErrorCaught() }
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("a request that arrives whole arms no timer; one completed later disarms it")
    func completeRequestsNeverTimeOut() throws {
        let channel = try channel()
        read(channel, [Self.head, .body(ByteBuffer(string: "{}")), .end(nil)])
        read(channel, [Self.head, .body(ByteBuffer(string: "{"))])
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        read(channel, [.body(ByteBuffer(string: "}")), .end(nil)])
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(throws: Never.self) { try channel.throwIfErrorCaught() }
        // Every part passed through unchanged.
        var parts = 0
        while try channel.readInbound(as: HTTPRequestPart.self) != nil { parts += 1 }
        #expect(parts == 7)
        _ = try channel.finish()
    }

    @Test("the next request's deadline counts from its own head")
    func deadlinePerRequest() throws {
        let channel = try channel()
        read(channel, [Self.head, .end(nil)])
        channel.embeddedEventLoop.advanceTime(by: .seconds(8))
        read(channel, [Self.head])
        channel.embeddedEventLoop.advanceTime(by: .seconds(8))
        #expect(throws: Never.self) { try channel.throwIfErrorCaught() }
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(throws: BodyReadTimedOut.self) { try channel.throwIfErrorCaught() }
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
