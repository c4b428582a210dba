import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A throwaway nats-server (plain NATS, no JetStream) on a free port (`FreePort`), for tests that
/// must stop and restart the server. Never touches the dev stack's server.
final class ScratchNATSServer {
    static let executable = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    let port = FreePort.next()
    let monitorPort = FreePort.next()
    private var process: Process?

    var url: String { "nats://127.0.0.1:\(port)" }

    func start() throws {
        guard let executable = Self.executable else { throw CocoaError(.fileNoSuchFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-a", "127.0.0.1", "-p", "\(port)", "-m", "\(monitorPort)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    /// The names of the clients connected now, from the server's `/connz` (no client lock involved).
    func clientNames() async -> [String] {
        guard let url = URL(string: "http://127.0.0.1:\(monitorPort)/connz"),
              let (data, _) = try? await URLSession.shared.data(from: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let connections = json["connections"] as? [[String: Any]] else { return [] }
        return connections.compactMap { $0["name"] as? String }
    }

    /// SIGSTOP: the server freezes; its kernel still accepts connections and acknowledges TCP.
    func freeze() {
        guard let process, process.isRunning else { return }
        ProcessFreezer.freeze(process.processIdentifier)
    }

    func thaw() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGCONT)
    }

    func stop() {
        guard let process, process.isRunning else { return }
        thaw() // a stopped process would keep SIGTERM pending for ever
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }
}
