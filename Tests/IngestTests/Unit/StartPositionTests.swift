import Columnstore
import Foundation
import Testing
@testable import Ingest

@Suite("Start position")
struct StartPositionTests {
    @Test("the setting's forms parse; anything else names the accepted forms")
    func parsing() throws {
        #expect(try StartPosition(setting: "first") == .first)
        #expect(try StartPosition(setting: "new") == .new)
        #expect(try StartPosition(setting: "sequence:42") == .sequence(42))
        #expect(try StartPosition(setting: "time:2026-12-01T00:00:00Z") == .time(Date(timeIntervalSince1970: 1_796_083_200)))
        for bad in ["last", "sequence:0", "sequence:-1", "sequence:x", "time:yesterday", "time:"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try StartPosition(setting: bad) }
        }
    }

    /// A stream of sequences 10…200, every third one deleted, stored one second apart from t0.
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func stream(_ sequence: UInt64) -> (sequence: UInt64, storedAt: Date?)? {
        var s = max(sequence, 10)
        while s % 3 == 0 { s += 1 }
        guard s <= 200 else { return nil }
        return (s, t0.addingTimeInterval(Double(s)))
    }

    @Test("first skips nothing, new skips the stream, sequence:N skips to N − 1")
    func positions() async throws {
        #expect(try await StartPosition.first.skipThrough(streamFirst: 10, streamLast: 200, firstAtOrAfter: stream) == 0)
        #expect(try await StartPosition.new.skipThrough(streamFirst: 10, streamLast: 200, firstAtOrAfter: stream) == 200)
        #expect(try await StartPosition.sequence(57).skipThrough(streamFirst: 10, streamLast: 200, firstAtOrAfter: stream) == 56)
    }

    @Test("time:T starts at the first message stored at or after T, whatever is deleted around it")
    func time() async throws {
        for target in [UInt64(10), 11, 57, 99, 100, 150, 199, 200] {
            let at = t0.addingTimeInterval(Double(target))
            let skip = try await StartPosition.time(at).skipThrough(streamFirst: 10, streamLast: 200, firstAtOrAfter: stream)
            // The first message at or after the target is where consumption starts: nothing between the
            // skip and it exists (a deleted sequence may be skipped or not).
            let expected = stream(target)!.sequence
            #expect(skip < expected && stream(skip + 1)?.sequence == expected, "target \(target): skipped through \(skip)")
        }
        // Before the stream: everything; after it: nothing (like new).
        #expect(try await StartPosition.time(t0).skipThrough(streamFirst: 10, streamLast: 200, firstAtOrAfter: stream) == 9)
        #expect(try await StartPosition.time(t0.addingTimeInterval(10_000)).skipThrough(streamFirst: 10, streamLast: 200, firstAtOrAfter: stream) == 200)
    }
}
