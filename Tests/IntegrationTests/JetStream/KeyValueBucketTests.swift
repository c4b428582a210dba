import Foundation
@testable import JetStream
import Testing

/// The KV operations leases are built on, against the dev stack's nats-server.
@Suite("JetStream key-value bucket")
struct KeyValueBucketTests {
    func withBucket(ttl: Duration = .seconds(3600), _ body: (KeyValueBucket) async throws -> Void) async throws {
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-kv")
        let js = try connection.jetStream()
        let name = DevStack.uniqueName("kv").replacingOccurrences(of: ".", with: "_")
        let bucket = try await js.keyValueBucket(name: name, ttl: ttl, storage: .memory)
        do { try await body(bucket) } catch { try? await js.deleteKeyValueBucket(name: name); throw error }
        try await js.deleteKeyValueBucket(name: name)
        await connection.close()
    }

    @Test("create succeeds once; the revision names the value for compare-and-set")
    func createAndUpdate() async throws {
        try await withBucket { kv in
            let first = try #require(try await kv.create("lease.p.0", value: Array("a".utf8)))
            #expect(try await kv.create("lease.p.0", value: Array("b".utf8)) == nil, "a held key cannot be created again")
            let second = try #require(try await kv.update("lease.p.0", value: Array("a2".utf8), last: first))
            #expect(second > first)
            #expect(try await kv.update("lease.p.0", value: Array("stale".utf8), last: first) == nil, "a stale revision is refused")
            let entry = try #require(try await kv.get("lease.p.0"))
            #expect(entry.value == Array("a2".utf8))
            #expect(entry.revision == second)
            // Revisions grow across keys: a later acquisition always has a higher epoch.
            let other = try #require(try await kv.create("lease.p.1", value: []))
            #expect(other > second)
            #expect(try await kv.keys() == ["lease.p.0", "lease.p.1"])
        }
    }

    @Test("a deleted key can be created again, with a higher revision")
    func deleteThenCreate() async throws {
        try await withBucket { kv in
            let first = try #require(try await kv.create("k", value: [1]))
            try await kv.delete("k")
            #expect(try await kv.get("k") == nil)
            #expect(try await kv.keys() == [])
            let again = try #require(try await kv.create("k", value: [2]))
            #expect(again > first)
        }
    }

    @Test("delete with a revision removes only the value written at that revision")
    func compareAndDelete() async throws {
        try await withBucket { kv in
            let first = try #require(try await kv.create("lease.p.3", value: [1]))
            let second = try #require(try await kv.update("lease.p.3", value: [2], last: first))
            // Another owner's newer value is left alone.
            #expect(try await kv.delete("lease.p.3", last: first) == false)
            #expect(try await kv.get("lease.p.3")?.value == [2])
            #expect(try await kv.delete("lease.p.3", last: second) == true)
            #expect(try await kv.get("lease.p.3") == nil)
            #expect(try await kv.keys() == [])
            // A delete marker is a revision of its own: deleting again at the old revision is refused, and
            // the key can be created anew (what the next owner does).
            #expect(try await kv.delete("lease.p.3", last: second) == false)
            let third = try #require(try await kv.create("lease.p.3", value: [3]))
            #expect(third > second)
            // A key never written has revision 0: a delete naming any other finds nothing to delete.
            #expect(try await kv.delete("lease.p.9", last: 1) == false)
        }
    }

        @Test("a key not written again within the TTL expires and is free to create")
    func ttlExpiry() async throws {
        try await withBucket(ttl: .seconds(1)) { kv in
            let first = try #require(try await kv.create("lease.x.0", value: [1]))
            let clock = ContinuousClock()
            // Generous: a busy machine may answer slowly; a request that fails (a timeout) is tried again.
            let deadline = clock.now + .seconds(30)
            var created: UInt64?
            while created == nil, clock.now < deadline {
                try await clock.sleep(for: .milliseconds(250))
                created = (try? await kv.create("lease.x.0", value: [2])) ?? nil
            }
            let second = try #require(created, "the key never expired")
            #expect(second > first)
            #expect(try await kv.update("lease.x.0", value: [3], last: first) == nil, "the expired owner cannot renew")
        }
    }

    /// The listing reads the subjects that still have a message, then each one's newest: a delete marker
    /// is not a value, and a bucket whose messages all expired has no subjects left.
    @Test("keys: deletes count, and a bucket whose messages all expired lists nothing")
    func keysAfterDeletesAndExpiry() async throws {
        // Deletes in a bucket whose TTL no slow moment can reach.
        try await withBucket { kv in
            _ = try await kv.put("a", value: [1])
            _ = try await kv.put("b", value: [2])
            try await kv.delete("a")
            #expect(try await kv.keys() == ["b"])
            // A prefix at a token boundary is filtered by the server, any other by the listing.
            _ = try await kv.put("skip.p.c.1", value: [3])
            _ = try await kv.put("skip.p.c2.1", value: [4])
            #expect(try await kv.keys(prefix: "skip.p.c.") == ["skip.p.c.1"])
            #expect(try await kv.keys(prefix: "skip.p.c") == ["skip.p.c.1", "skip.p.c2.1"])
            #expect(try await kv.keys(prefix: "none.") == [])
        }
        try await withBucket(ttl: .seconds(1)) { kv in
            _ = try await kv.put("a", value: [1])
            _ = try await kv.put("b", value: [2])
            try await kv.delete("a")
            let clock = ContinuousClock()
            // Waits for the server to have expired every message (its own schedule; the bound only keeps a
            // server that never expires from hanging the suite), then lists: the verdict does not depend on
            // when the expiry came.
            let deadline = clock.now + .seconds(60)
            var info = try await kv.context.streamInfo(name: "KV_" + kv.name)
            while info.messages > 0, clock.now < deadline {
                try await clock.sleep(for: .milliseconds(250))
                info = try await kv.context.streamInfo(name: "KV_" + kv.name)
            }
            try #require(info.messages == 0, "the server never expired the bucket's messages")
            #expect(info.lastSequence >= 3, "the newest message is gone, its sequence still the last")
            let keys = try await kv.keys()
            #expect(keys.isEmpty, "still listed after every message expired: \(keys)")
        }
    }

    @Test("keys while another connection keeps writing: the keys at rest every time, each once, no subscription made")
    func keysWhileAnotherConnectionWrites() async throws {
        let reading = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-kv-reader")
        let writing = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-kv-writer")
        let name = DevStack.uniqueName("kvchurn").replacingOccurrences(of: ".", with: "_")
        // A TTL no slow run reaches (a loaded machine took 116 s once, and the keys at rest expired).
        let kv = try await reading.jetStream().keyValueBucket(name: name, ttl: .seconds(3600), storage: .memory)
        let writer = try await writing.jetStream().keyValueBucket(name: name, ttl: .seconds(3600), storage: .memory)
        let expected = ["hold.t", "lease.t.0", "lease.t.1", "replica.t.r0"]
        for key in expected { try await kv.put(key, value: Array(key.utf8)) }

        var mismatches: [[String]] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The written keys come and go between a listing's subjects and its reads, so only the keys at
            // rest are expected.
            group.addTask {
                var n = 0
                while !Task.isCancelled {
                    n += 1
                    try await writer.put("noise.\(n % 2)", value: Array(String(n).utf8))
                }
            }
            for _ in 0..<300 {
                let keys = try await kv.keys()
                if keys.filter({ !$0.hasPrefix("noise.") }) != expected || Set(keys).count != keys.count { mismatches.append(keys) }
            }
            group.cancelAll()
            try? await group.waitForAll()
        }
        #expect(mismatches.isEmpty, "keys() answered \(mismatches.prefix(3)) instead of \(expected)")
        // Listing opens no subscription (no ordered watcher, nothing to retire).
        #expect(reading.retired.count == 0)
        try await reading.jetStream().deleteKeyValueBucket(name: name)
        await writing.close()
        await reading.close()
    }
}
