import Foundation
import JetStream

extension PartitionedCorpus {
    /// Publishes `range` of the messages to their partitions' streams, `chunk` at a time with `pause`
    /// between chunks, so facts keep arriving while something else happens.
    func publish(_ range: Range<Int>, chunk: Int = 1000, pause: Duration = .zero, natsURL: String = DevStack.natsURL) async throws {
        let connection = try await NATSConnection.connect(url: natsURL, name: "projection-tests-partitioned-trickle")
        let js = try connection.jetStream()
        for p in 0..<partitions {
            try await js.ensureStream(name: stream(p), subjects: ["\(subjectPrefix).p\(p).>"], storage: .file)
        }
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + chunk, range.upperBound)
            try await js.publishAsync(corpus.messages[start..<end].map {
                OutboundMessage(subject: $0.subject, data: $0.body, headers: $0.headers, messageID: $0.messageID)
            })
            try await js.publishAsyncComplete(timeout: .seconds(60))
            start = end
            if pause > .zero, start < range.upperBound { try await Task.sleep(for: pause) }
        }
        await connection.close()
    }
}
