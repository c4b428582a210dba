import Foundation

/// A throwaway nats-server (plain NATS, no JetStream) on a free port (`FreePort`), for tests that
/// must stop and restart the server. Never touches the dev stack's server.
final class ScratchNATSServer {
    static let executable = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    let port = FreePort.next()
    private var process: Process?

    var url: String { "nats://127.0.0.1:\(port)" }

    func start() throws {
        guard let executable = Self.executable else { throw CocoaError(.fileNoSuchFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-a", "127.0.0.1", "-p", "\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }
}
