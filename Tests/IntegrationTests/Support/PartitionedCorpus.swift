import Foundation
import JetStream

/// A `FactCorpus` split over P partitions the way SCALING.md tells producers to: the partition is a
/// stable hash of the tenant, each partition has its own stream `<STREAM>_P<n>` capturing
/// `<prefix>.p<n>.>`, so one tenant's facts (re-publishes included) always land in one partition.
struct PartitionedCorpus {
    let corpus: FactCorpus
    let partitions: Int
    let streamPrefix: String
    let subjectPrefix: String
    /// Messages published to each partition's stream = its last sequence.
    private(set) var lastSequence: [Int: UInt64] = [:]

    static func partition(ofTenant tenant: String, partitions: Int) -> Int {
        var hash: UInt32 = 2_166_136_261 // FNV-1a
        for byte in tenant.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash % UInt32(partitions))
    }

    /// `perPartition` tenants for every partition, so the load is spread evenly.
    static func tenants(partitions: Int, perPartition: Int) -> [String] {
        var byPartition: [Int: [String]] = [:]
        var i = 1
        while byPartition.values.reduce(0, { $0 + $1.count }) < partitions * perPartition {
            let tenant = "t\(i)"
            let p = partition(ofTenant: tenant, partitions: partitions)
            if byPartition[p, default: []].count < perPartition { byPartition[p, default: []].append(tenant) }
            i += 1
        }
        return (0..<partitions).flatMap { byPartition[$0]! }
    }

    init(orders: Int, partitions: Int, seed: UInt64) {
        let name = DevStack.uniqueName("scale")
        self.partitions = partitions
        self.streamPrefix = name.uppercased()
        self.subjectPrefix = name.lowercased()
        var corpus = FactCorpus(subjectPrefix: subjectPrefix, tenants: Self.tenants(partitions: partitions, perPartition: 2), orders: orders, seed: seed)
        // `<prefix>.<tenant>.<type>` becomes `<prefix>.p<n>.<tenant>.<type>`.
        let cut = subjectPrefix.count + 1
        for i in corpus.messages.indices {
            let rest = corpus.messages[i].subject.dropFirst(cut)
            let tenant = String(rest.prefix { $0 != "." })
            let p = Self.partition(ofTenant: tenant, partitions: partitions)
            corpus.messages[i].subject = "\(subjectPrefix).p\(p).\(rest)"
            lastSequence[p, default: 0] += 1
        }
        self.corpus = corpus
    }

    func stream(_ partition: Int) -> String { "\(streamPrefix)_P\(partition)" }

    /// Creates every partition's stream (file storage, `replicas` copies) on the server or cluster at `natsURL`.
    func ensureStreams(natsURL: String, replicas: Int) async throws {
        let connection = try await NATSConnection.connect(url: natsURL, name: "projection-tests-partitioned-streams")
        let js = try connection.jetStream()
        for p in 0..<partitions {
            _ = try await js.ensureStream(name: stream(p), subjects: ["\(subjectPrefix).p\(p).>"], storage: .file, replicas: replicas)
        }
        await connection.close()
    }

    /// Publishes every message to its partition's stream, with `Nats-Msg-Id` like a real producer.
    func publish(natsURL: String = DevStack.natsURL) async throws {
        let connection = try await NATSConnection.connect(url: natsURL, name: "projection-tests-partitioned-publisher")
        let js = try connection.jetStream()
        for p in 0..<partitions {
            try await js.ensureStream(name: stream(p), subjects: ["\(subjectPrefix).p\(p).>"], storage: .file)
        }
        var batch: [OutboundMessage] = []
        for message in corpus.messages {
            batch.append(OutboundMessage(subject: message.subject, data: message.body, headers: message.headers, messageID: message.messageID))
            if batch.count == 1000 {
                try await js.publishAsync(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try await js.publishAsync(batch)
        try await js.publishAsyncComplete(timeout: .seconds(120))
        for p in 0..<partitions {
            let last = try await js.streamInfo(name: stream(p)).lastSequence
            precondition(last == lastSequence[p, default: 0], "stream \(stream(p)) holds \(last) messages, expected \(lastSequence[p, default: 0])")
        }
        await connection.close()
    }

    func deleteStreams() async {
        for p in 0..<partitions { await FactPublisher.deleteStream(stream(p)) }
    }
}
