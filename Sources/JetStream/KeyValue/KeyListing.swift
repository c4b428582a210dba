/// Collects a bucket's keys from an ordered watcher's deliveries, and knows when the listing is complete.
///
/// libnats ends a watcher's initial values by a count taken from the first delivery's `num_pending`,
/// which nats-server computes loosely for a last-per-subject consumer while other clients write: under
/// concurrent writes the end marker came early and `keys()` answered `hold.t, lease.t.0` for a bucket that
/// also held `lease.t.1` and `replica.t.r0` (SubscriptionRetirementTests, once in many hundred listings).
/// A lease observation built on that answer could miss a cutover's hold for a round.
///
/// So the listing also waits for the stream's sequence: `lastSequence` is read from the stream before
/// the watcher starts, and deliveries come in stream order, so once one at or past it has arrived every
/// key at rest has been delivered (a key written since arrives with its newer revision). Deletes are
/// delivered too and remove their key, so the answer is the keys whose newest message holds a value.
/// (If the message at that sequence expired or was purged after it was read, none may come: the caller
/// then ends a short while after libnats' marker, as libnats alone would have.)
struct KeyListing {
    enum Operation { case put, delete }

    /// The stream's last sequence when the listing began (0: the stream was empty).
    let lastSequence: UInt64
    private var live: [String: Bool] = [:]
    private var highestRevision: UInt64 = 0
    private var markerSeen = false

    init(lastSequence: UInt64) {
        self.lastSequence = lastSequence
    }

    /// One delivered entry; true once the listing is complete.
    mutating func add(key: String, revision: UInt64, operation: Operation) -> Bool {
        live[key] = operation == .put
        highestRevision = max(highestRevision, revision)
        return isComplete
    }

    /// libnats' end-of-initial-values marker; true once the listing is complete.
    mutating func endOfInitialValues() -> Bool {
        markerSeen = true
        return isComplete
    }

    /// Both signs: libnats' marker, and a delivery at or past the stream's last sequence.
    var isComplete: Bool { markerSeen && highestRevision >= lastSequence }

    /// The keys holding a value, sorted, each once.
    var keys: [String] { live.filter(\.value).map(\.key).sorted() }
}
