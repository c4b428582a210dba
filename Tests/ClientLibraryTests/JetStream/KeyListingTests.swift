@testable import JetStream
import Testing

/// When a bucket's key listing is complete (pure; the watcher's deliveries are fed by hand).
@Suite("KV key listing")
struct KeyListingTests {
    /// One thing the watcher hands the listing.
    enum Step {
        case put(String, UInt64)
        case delete(String, UInt64)
        case marker
    }

    /// Feeds `steps` in order; whether the listing was complete after each.
    static func feed(_ listing: inout KeyListing, _ steps: [Step]) -> [Bool] {
        steps.map { step in
            switch step {
            case .put(let key, let revision): listing.add(key: key, revision: revision, operation: .put)
            case .delete(let key, let revision): listing.add(key: key, revision: revision, operation: .delete)
            case .marker: listing.endOfInitialValues()
            }
        }
    }

    @Test("an early end marker is not the end: deliveries continue until the stream's last sequence")
    func earlyMarkerWaitsForTheLastSequence() {
        // The bucket: hold.t (1), lease.t.0 (2), lease.t.1 (3), replica.t.r0 (4), noise written at 5 and on.
        // libnats' marker comes after two entries (its count from a loose num_pending): not complete. The key
        // written at 5 was written again (at 9) before the watcher began: its newer revision ends it.
        var listing = KeyListing(lastSequence: 5)
        let complete = Self.feed(&listing, [.put("hold.t", 1), .put("lease.t.0", 2), .marker, .put("lease.t.1", 3),
                                            .put("replica.t.r0", 4), .put("noise.1", 9)])
        #expect(complete == [false, false, false, false, false, true])
        #expect(listing.keys == ["hold.t", "lease.t.0", "lease.t.1", "noise.1", "replica.t.r0"])
    }

    @Test("the marker is still needed: reaching the last sequence first waits for it")
    func lastSequenceThenMarker() {
        var listing = KeyListing(lastSequence: 2)
        #expect(Self.feed(&listing, [.put("a", 1), .put("b", 2), .marker]) == [false, false, true])
        #expect(listing.keys == ["a", "b"])
    }

    @Test("deletes remove their key; the newest message of a key decides")
    func deletesAndRewrites() {
        var listing = KeyListing(lastSequence: 6)
        let complete = Self.feed(&listing, [.put("gone", 1), .put("kept", 2), .delete("gone", 3), .delete("back", 4),
                                            .put("back", 6), .marker])
        #expect(complete.last == true)
        #expect(listing.keys == ["back", "kept"])
    }

    @Test("an empty stream is complete at the marker")
    func emptyStream() {
        var listing = KeyListing(lastSequence: 0)
        #expect(Self.feed(&listing, [.marker]) == [true])
        #expect(listing.keys.isEmpty)
    }
}
