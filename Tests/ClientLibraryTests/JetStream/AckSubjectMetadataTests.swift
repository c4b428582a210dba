import Testing
@testable import JetStream

/// The delivery metadata read from ack subjects without libnats (which allocates per message); the
/// forms are those libnats' `js_getMetaData` accepts, and what it refuses falls back to libnats.
@Suite("Ack subject metadata")
struct AckSubjectMetadataTests {
    private func parse(_ subject: String) -> JetStreamMessage.Metadata? {
        Array(subject.utf8).withUnsafeBytes { AckSubjectMetadata.parse($0) }
    }

    @Test func readsTheV1Form() {
        #expect(parse("$JS.ACK.ORDERS.ingest.2.1234.77.1764800000123456789.9") == JetStreamMessage.Metadata(
            streamSequence: 1234, consumerSequence: 77, numDelivered: 2, numPending: 9, timestampNanoseconds: 1_764_800_000_123_456_789))
    }

    @Test func readsTheV2FormWithOrWithoutItsTrailingToken() {
        let expected = JetStreamMessage.Metadata(
            streamSequence: 18_446_744_073, consumerSequence: 5, numDelivered: 1, numPending: 0, timestampNanoseconds: 42)
        #expect(parse("$JS.ACK._.ACCHASH.BENCH_b1.drain_b1.1.18446744073.5.42.0.rAnd0m") == expected)
        #expect(parse("$JS.ACK.hub.ACCHASH.BENCH_b1.drain_b1.1.18446744073.5.42.0") == expected)
        #expect(parse("$JS.ACK._.ACCHASH.S.C.1.18446744073.5.42.0.x.y.z") == expected)
    }

    @Test func numericNamesAreStillNames() {
        #expect(parse("$JS.ACK.123.456.1.2.3.4.5")?.streamSequence == 2)
    }

    @Test func refusesWhatLibnatsRefuses() {
        #expect(parse("") == nil)
        #expect(parse("$JS.ACK.") == nil)
        #expect(parse("_INBOX.abc.1") == nil)
        #expect(parse("$JS.ACKX.S.C.1.2.3.4.5") == nil)
        // 6 and 8 tokens: neither form.
        #expect(parse("$JS.ACK.S.C.1.2.3.4") == nil)
        #expect(parse("$JS.ACK.D.H.S.C.1.2.3.4") == nil)
        // A number that is empty, signed, not decimal or past Int64.
        #expect(parse("$JS.ACK.S.C.1..3.4.5") == nil)
        #expect(parse("$JS.ACK.S.C.1.-2.3.4.5") == nil)
        #expect(parse("$JS.ACK.S.C.1.2x.3.4.5") == nil)
        #expect(parse("$JS.ACK.S.C.1.2.3.4.9223372036854775808") == nil)
        #expect(parse("$JS.ACK.S.C.1.2.3.4.9223372036854775807")?.numPending == 9_223_372_036_854_775_807)
    }
}
