import Testing

/// "It eventually happens" guards: poll a condition, never judge how long it took.
enum Eventually {
    /// Polls `condition` every 100 ms until it holds; records an issue when the generous `timeout` passes first.
    static func wait(_ what: String, timeout: Duration, _ condition: () async throws -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if try await condition() { return }
            try await clock.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for \(what)")
    }
}
