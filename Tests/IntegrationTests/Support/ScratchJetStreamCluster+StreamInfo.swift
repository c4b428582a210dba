import JetStream

extension ScratchJetStreamCluster {
    /// A stream's info from whichever node answers (one short-lived connection, no reconnects).
    func streamInfo(_ stream: String) async throws -> StreamInfo {
        let connection = try await NATSConnection.connect(url: urls, name: "cluster-fault-test", options: .init(maxReconnect: 0, connectTimeout: .seconds(1)))
        do {
            let info = try await connection.jetStream(options: .init(requestTimeout: .seconds(2))).streamInfo(name: stream)
            await connection.close()
            return info
        } catch {
            await connection.close()
            throw error
        }
    }
}
