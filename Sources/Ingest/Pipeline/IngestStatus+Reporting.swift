import Foundation

extension IngestStatus: IngestStatusReporting {
    var isReady: Bool { snapshot.isReady }

    var readinessDetail: String {
        let s = snapshot
        return "nats_connected=\(s.natsConnected) consumer_bound=\(s.consumerBound) store_writable=\(s.storeWritable) draining=\(s.draining)"
    }

    func ingestionJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(snapshot)
    }
}
