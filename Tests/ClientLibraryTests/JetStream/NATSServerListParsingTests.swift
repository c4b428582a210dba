import Testing
@testable import JetStream

@Suite("NATS server list parsing")
struct NATSServerListParsingTests {
    @Test func oneURLIsOneServer() {
        #expect(NATSConnection.serverURLs("nats://127.0.0.1:4222") == ["nats://127.0.0.1:4222"])
    }

    @Test func commasSeparateServersAndSpacesAndEmptyEntriesAreDropped() {
        #expect(NATSConnection.serverURLs(" nats://a:1, nats://u:p@b:2 ,,nats://c:3 ") == ["nats://a:1", "nats://u:p@b:2", "nats://c:3"])
    }

    @Test func nothingButSeparatorsIsNoServer() {
        #expect(NATSConnection.serverURLs(" , ").isEmpty)
    }
}
