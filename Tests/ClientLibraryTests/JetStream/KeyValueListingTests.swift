@testable import JetStream
import Testing

/// The pure parts of `KeyValueBucket.keys()`: which subjects are keys, and which newest messages hold a value.
@Suite("KV key listing")
struct KeyValueListingTests {
    @Test("a bucket subject names its key; subjects outside the bucket, or the bare prefix, name none")
    func keysFromSubjects() {
        #expect(KeyValueBucket.key(subject: "$KV.leases.lease.t.0", bucket: "leases") == "lease.t.0")
        #expect(KeyValueBucket.key(subject: "$KV.leases.x", bucket: "leases") == "x")
        #expect(KeyValueBucket.key(subject: "$KV.leases2.x", bucket: "leases") == nil)
        #expect(KeyValueBucket.key(subject: "$KV.other.leases.x", bucket: "leases") == nil)
        #expect(KeyValueBucket.key(subject: "$KV.leases.", bucket: "leases") == nil)
        #expect(KeyValueBucket.subjectPrefix(bucket: "leases") + ">" == "$KV.leases.>")
    }

    @Test("a key prefix narrows the subject filter only at a token boundary")
    func prefixFilters() {
        #expect(KeyValueBucket.subjectFilter(bucket: "b", keyPrefix: "") == "$KV.b.>")
        #expect(KeyValueBucket.subjectFilter(bucket: "b", keyPrefix: "skip.p.c.") == "$KV.b.skip.p.c.>")
        // "lease.t" would also have to match "lease.t2.x": the server cannot filter on part of a token.
        #expect(KeyValueBucket.subjectFilter(bucket: "b", keyPrefix: "lease.t") == "$KV.b.>")
    }

    @Test("a put holds a value; delete and purge markers do not; other operations are read as values")
    func operations() {
        #expect(KeyValueBucket.holdsValue(operation: nil))
        #expect(!KeyValueBucket.holdsValue(operation: "DEL"))
        #expect(!KeyValueBucket.holdsValue(operation: "PURGE"))
        // Header values are exact (libnats writes them upper-case); anything else is a put's own header.
        #expect(KeyValueBucket.holdsValue(operation: "del"))
    }
}
