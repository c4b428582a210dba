import Columnstore
import Foundation

extension IngestStatus: IngestStatusReporting {
    var isReady: Bool { snapshot.isReady }

    var readinessDetail: String {
        let s = snapshot
        var detail = "nats_connected=\(s.natsConnected) consumer_bound=\(s.consumerBound) store_writable=\(s.storeWritable) draining=\(s.draining)"
        if let problem = s.freshnessProblem { detail += " \(problem)" }
        return detail
    }

    func ingestionJSON() throws -> Data {
        try JSONCoding.encode(snapshot)
    }

    func freshnessSnapshots() -> [(partition: Int?, snapshot: IngestStatus.Snapshot)] { [(nil, snapshot)] }
}
