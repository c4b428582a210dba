import JetStream

extension NATSConnection {
    /// Connects once a scratch server accepts connections: a process just started needs a moment, and a
    /// loaded machine many. The minute is a hang guard; a refused connect returns at once.
    static func connectWhenUp(_ url: String, name: String, options: NATSConnection.Options = .init()) async throws -> NATSConnection {
        let clock = ContinuousClock(), guardUntil = clock.now + .seconds(60)
        while clock.now < guardUntil {
            if let connection = try? await NATSConnection.connect(url: url, name: name, options: options) { return connection }
            try await clock.sleep(for: .milliseconds(100))
        }
        return try await NATSConnection.connect(url: url, name: name, options: options)
    }
}
