@testable import JetStream
import Testing

/// When a bucket's key listing is complete (pure; the watcher's deliveries are fed by hand).
@Suite("KV key listing")
struct KeyListingTests {
    @Test("an early end marker is not the end: deliveries continue until the stream's last sequence")
    func earlyMarkerWaitsForTheLastSequence() {
        // The bucket: hold.t (1), lease.t.0 (2), lease.t.1 (3), replica.t.r0 (4), noise written at 5 and on.
        var listing = KeyListing(lastSequence: 5)
        let r1 = listing.add(key: "hold.t", revision: 1, operation: .put)
        #expect(!r1)
        let r2 = listing.add(key: "lease.t.0", revision: 2, operation: .put)
        #expect(!r2)
        // libnats' marker after two entries (its count from a loose num_pending): not complete.
        let r3 = listing.endOfInitialValues()
        #expect(!r3)
        let r4 = listing.add(key: "lease.t.1", revision: 3, operation: .put)
        #expect(!r4)
        let r5 = listing.add(key: "replica.t.r0", revision: 4, operation: .put)
        #expect(!r5)
        // The key written at 5 was written again (at 9) before the watcher began: its newer revision ends it.
        let r6 = listing.add(key: "noise.1", revision: 9, operation: .put)
        #expect(r6)
        #expect(listing.keys == ["hold.t", "lease.t.0", "lease.t.1", "noise.1", "replica.t.r0"])
    }

    @Test("the marker is still needed: reaching the last sequence first waits for it")
    func lastSequenceThenMarker() {
        var listing = KeyListing(lastSequence: 2)
        let r7 = listing.add(key: "a", revision: 1, operation: .put)
        #expect(!r7)
        let r8 = listing.add(key: "b", revision: 2, operation: .put)
        #expect(!r8)
        let r9 = listing.endOfInitialValues()
        #expect(r9)
        #expect(listing.keys == ["a", "b"])
    }

    @Test("deletes remove their key; the newest message of a key decides")
    func deletesAndRewrites() {
        var listing = KeyListing(lastSequence: 6)
        _ = listing.add(key: "gone", revision: 1, operation: .put)
        _ = listing.add(key: "kept", revision: 2, operation: .put)
        _ = listing.add(key: "gone", revision: 3, operation: .delete)
        _ = listing.add(key: "back", revision: 4, operation: .delete)
        _ = listing.add(key: "back", revision: 6, operation: .put)
        let r10 = listing.endOfInitialValues()
        #expect(r10)
        #expect(listing.keys == ["back", "kept"])
    }

    @Test("an empty stream is complete at the marker")
    func emptyStream() {
        var listing = KeyListing(lastSequence: 0)
        let r11 = listing.endOfInitialValues()
        #expect(r11)
        #expect(listing.keys.isEmpty)
    }
}
