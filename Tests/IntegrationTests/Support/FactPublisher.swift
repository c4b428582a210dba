import JetStream

/// Publishes a corpus to a fresh JetStream stream, with `Nats-Msg-Id` like a real producer.
enum FactPublisher {
    static func publish(_ corpus: FactCorpus, stream: String, subjects: [String], natsURL: String = DevStack.natsURL, range: Range<Int>? = nil, replicas: Int = 1) async throws -> UInt64 {
        let connection = try await NATSConnection.connect(url: natsURL, name: "projection-tests-publisher")
        let js = try connection.jetStream()
        try await js.ensureStream(name: stream, subjects: subjects, storage: .file, replicas: replicas)
        var batch: [OutboundMessage] = []
        for message in corpus.messages[range ?? corpus.messages.indices] {
            batch.append(OutboundMessage(subject: message.subject, data: message.body, headers: message.headers, messageID: message.messageID))
            if batch.count == 1000 {
                try await js.publishAsync(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try await js.publishAsync(batch)
        try await js.publishAsyncComplete(timeout: .seconds(60))
        let last = try await js.streamInfo(name: stream).lastSequence
        await connection.close()
        return last
    }

    static func deleteStream(_ stream: String) async {
        guard let connection = try? await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-cleanup") else { return }
        try? await connection.jetStream().deleteStream(name: stream)
        await connection.close()
    }
}
