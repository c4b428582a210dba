import Testing
@testable import Ingest

/// `StreamBounds.problem(checkpoint:)`: the stream's bounds against the checkpoint, over every ordering of
/// the three numbers that JetStream can produce (empty, purged, trimmed, re-created streams).
@Suite("Stream bounds against the checkpoint")
struct StreamProblemTests {
    @Test("a stream that holds everything after the checkpoint has no problem")
    func consistent() {
        #expect(StreamBounds(first: 0, last: 0).problem(checkpoint: 0) == nil, "a new, empty stream")
        #expect(StreamBounds(first: 1, last: 10).problem(checkpoint: 0) == nil)
        #expect(StreamBounds(first: 1, last: 10).problem(checkpoint: 10) == nil, "caught up")
        #expect(StreamBounds(first: 6, last: 10).problem(checkpoint: 5) == nil, "trimmed up to what was applied")
        #expect(StreamBounds(first: 8, last: 10).problem(checkpoint: 9) == nil, "trimmed past what was applied")
        #expect(StreamBounds(first: 11, last: 10).problem(checkpoint: 10) == nil, "purged after everything was applied")
    }

    @Test("a checkpoint past the stream's last sequence: re-created")
    func recreated() throws {
        let empty = try #require(StreamBounds(first: 0, last: 0).problem(checkpoint: 500))
        #expect(empty.contains("re-created") && empty.contains("500"))
        let shorter = try #require(StreamBounds(first: 1, last: 20).problem(checkpoint: 500))
        #expect(shorter.contains("last sequence 20") && shorter.contains("checkpoint 500"))
        #expect(StreamBounds(first: 1, last: 499).problem(checkpoint: 500) != nil)
        #expect(StreamBounds(first: 1, last: 500).problem(checkpoint: 500) == nil)
    }

    @Test("facts gone from the stream are not reported: on a shared stream they may be other consumers' facts")
    func gone() {
        #expect(StreamBounds(first: 40, last: 90).problem(checkpoint: 10) == nil)
        #expect(StreamBounds(first: 91, last: 90).problem(checkpoint: 10) == nil, "a purge of everything")
    }

    @Test("generated bounds: a problem exactly when the checkpoint is past the stream's last sequence")
    func generated() {
        for first in UInt64(0)...12 {
            for last in UInt64(0)...12 {
                // JetStream's shapes: empty and new (0, 0); holding first…last; purged (first = last + 1).
                guard (first == 0 && last == 0) || (first >= 1 && first <= last + 1) else { continue }
                for checkpoint in UInt64(0)...14 {
                    let problem = StreamBounds(first: first, last: last).problem(checkpoint: checkpoint)
                    #expect((problem != nil) == (checkpoint > last), "first \(first) last \(last) checkpoint \(checkpoint)")
                }
            }
        }
    }
}
