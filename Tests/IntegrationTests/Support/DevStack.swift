import Foundation

/// Where the real servers of the dev stack (`dev/stack up`) listen. Each can be overridden by the
/// same env var that `dev/stack env` prints; the defaults match the stack's defaults.
enum DevStack {
    static var natsURL: String {
        env("PROJECTION_NATS_URL") ?? "nats://127.0.0.1:4222"
    }
    static var postgresDSN: String {
        env("PROJECTION_POSTGRES_DSN") ?? "postgresql://projection:projection@127.0.0.1:5432/projection"
    }
    static var clickhouseDSN: String {
        env("PROJECTION_CLICKHOUSE_DSN") ?? "http://projection:projection@127.0.0.1:8123/projection"
    }

    private static func env(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// A name unique to this test run, for streams, tables and databases that tests create.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
    }
}
