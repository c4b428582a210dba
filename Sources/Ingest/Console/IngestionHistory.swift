import Columnstore
import Foundation
import Synchronization

/// The console's bounded history: the last `capacity` samples (one a second), oldest first. Written by
/// `IngestionHistorySampler`, read by `GET /admin/ingestion/history`.
final class IngestionHistory: Sendable {
    /// Ten minutes at one sample a second.
    static let defaultCapacity = 600

    let capacity: Int
    private let ring: Mutex<(samples: [IngestionSample], next: Int)>

    init(capacity: Int = IngestionHistory.defaultCapacity) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.ring = Mutex(([], 0))
    }

    func append(_ sample: IngestionSample) {
        ring.withLock { ring in
            if ring.samples.count < capacity {
                ring.samples.append(sample)
            } else {
                ring.samples[ring.next] = sample
            }
            ring.next = (ring.next + 1) % capacity
        }
    }

    /// Oldest first.
    var samples: [IngestionSample] {
        ring.withLock { ring in
            guard ring.samples.count == capacity else { return ring.samples }
            return Array(ring.samples[ring.next...] + ring.samples[..<ring.next])
        }
    }

    /// `{"interval_seconds":1,"capacity":600,"samples":[…]}`.
    func json() throws -> Data {
        struct Document: Encodable {
            var intervalSeconds: Int
            var capacity: Int
            var samples: [IngestionSample]
            enum CodingKeys: String, CodingKey {
                case capacity, samples
                case intervalSeconds = "interval_seconds"
            }
        }
        return try JSONCoding.encode(Document(intervalSeconds: 1, capacity: capacity, samples: samples))
    }
}
