import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A throwaway three-node JetStream cluster on loopback (random free ports, store dirs in a temp dir),
/// for tests that kill and restart nodes. Independent of the dev stack's NATS.
final class ScratchJetStreamCluster: @unchecked Sendable {
    // @unchecked: used from one test task at a time.
    static let size = 3

    let clientPorts: [Int]
    let routePorts: [Int]
    let monitorPorts: [Int]
    let directory: URL
    private var processes: [Process?]
    private var frozen: Set<Int> = []

    init() throws {
        var ports: [Int] = []
        while ports.count < Self.size * 3 {
            let port = Self.freePort()
            if !ports.contains(port) { ports.append(port) }
        }
        clientPorts = Array(ports[0..<3])
        routePorts = Array(ports[3..<6])
        monitorPorts = Array(ports[6..<9])
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("js-cluster-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        processes = Array(repeating: nil, count: Self.size)
    }

    /// The client URLs, comma-separated: what `PROJECTION_NATS_URL` gets. A frozen node's is left out for
    /// the test's own later connections: libnats 3.4.1's connect waits for a frozen node's INFO with no
    /// deadline (a stream-info connect once hung for over 10 minutes on it).
    var urls: String {
        clientPorts.indices.filter { !frozen.contains($0) }.map { "nats://127.0.0.1:\(clientPorts[$0])" }.joined(separator: ",")
    }

    /// The server name of node `index` (what stream info reports as the leader).
    func serverName(_ index: Int) -> String { "scratch-n\(index)" }

    func index(ofServer name: String) -> Int? { (0..<Self.size).first { serverName($0) == name } }

    func startAll() throws { for index in 0..<Self.size { try start(index) } }

    func start(_ index: Int) throws {
        guard let executable = ScratchNATSServer.executable else { throw CocoaError(.fileNoSuchFile) }
        guard processes[index]?.isRunning != true else { return }
        let routes = routePorts.map { "nats://127.0.0.1:\($0)" }.joined(separator: ",")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "-a", "127.0.0.1", "-p", "\(clientPorts[index])", "-m", "\(monitorPorts[index])",
            "-js", "-sd", directory.appendingPathComponent("n\(index)").path, "--server_name", serverName(index),
            "--cluster_name", "scratch", "--cluster", "nats://127.0.0.1:\(routePorts[index])", "--routes", routes,
        ]
        let logURL = directory.appendingPathComponent("n\(index).log")
        if !FileManager.default.fileExists(atPath: logURL.path) { _ = FileManager.default.createFile(atPath: logURL.path, contents: nil) }
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        processes[index] = process
    }

    /// `kill -9` of one node: no goodbye to its peers or clients.
    func kill9(_ index: Int) {
        guard let process = processes[index], process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<1000 where process.isRunning { usleep(10_000) }
        processes[index] = nil
    }

    /// SIGTERM, as a service manager stops a node for a restart; waits (bounded) until it exited.
    func terminate(_ index: Int) {
        guard let process = processes[index], process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<3000 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill9(index) }
        processes[index] = nil
    }

    /// SIGSTOP: the node freezes and keeps its sockets open.
    func freeze(_ index: Int) {
        guard let process = processes[index], process.isRunning else { return }
        frozen.insert(index)
        ProcessFreezer.freeze(process.processIdentifier)
    }

    func thaw(_ index: Int) {
        guard let process = processes[index] else { return }
        kill(process.processIdentifier, SIGCONT)
        frozen.remove(index)
    }

    func isRunning(_ index: Int) -> Bool { processes[index]?.isRunning ?? false }

    /// Whether node `index` answers `/healthz` (JetStream up and in contact with a meta leader).
    func isHealthy(_ index: Int) async -> Bool {
        guard let url = URL(string: "http://127.0.0.1:\(monitorPorts[index])/healthz"),
              let (_, response) = try? await URLSession.shared.data(from: url) else { return false }
        return (response as? HTTPURLResponse)?.statusCode == 200
    }

    /// The meta leader's server name as node `index` sees it (`/jsz`), or nil.
    func metaLeader(seenBy index: Int) async -> String? {
        guard let url = URL(string: "http://127.0.0.1:\(monitorPorts[index])/jsz"),
              let (data, _) = try? await URLSession.shared.data(from: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let meta = json["meta_cluster"] as? [String: Any] else { return nil }
        return meta["leader"] as? String
    }

    /// The JetStream meta leader, once two running, unfrozen nodes name the same one (`/jsz`); nil if they
    /// do not within the generous `timeout`. Right after a fault a node can report no leader (an election
    /// under way) or a stale one, so one node's snapshot is not enough to pick a node to kill.
    func agreedMetaLeader(timeout: Duration = .seconds(90)) async throws -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            var votes: [String: Int] = [:]
            for index in 0..<Self.size where isRunning(index) && !frozen.contains(index) {
                if let leader = await metaLeader(seenBy: index), !leader.isEmpty { votes[leader, default: 0] += 1 }
            }
            if let agreed = votes.first(where: { $0.value >= 2 })?.key { return agreed }
            try await clock.sleep(for: .milliseconds(200))
        }
        return nil
    }

    /// Polls until every running node is healthy; false if the deadline passes first.
    func waitUntilHealthy(timeout: Duration = .seconds(60)) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            var healthy = true
            for index in 0..<Self.size where isRunning(index) {
                if !(await isHealthy(index)) { healthy = false; break }
            }
            if healthy { return true }
            try await clock.sleep(for: .milliseconds(200))
        }
        return false
    }

    func log(_ index: Int) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("n\(index).log"), encoding: .utf8)) ?? ""
    }

    func stopAll() {
        for index in 0..<Self.size {
            thaw(index)
            kill9(index)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stopAll() }

    /// A port the kernel just handed out (bound and released), so unlikely to collide with others'.
    private static func freePort() -> Int { FreePort.next() }
}
