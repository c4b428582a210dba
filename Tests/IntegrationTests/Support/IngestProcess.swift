import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `projection-ingest` executable, started as a child process so tests can `kill -9` it.
final class IngestProcess: @unchecked Sendable {
    let environment: [String: String]
    let port: Int
    private var process: Process?
    private let logURL: URL

    static var executable: URL {
        // PROJECTION_INGEST_BINARY runs the tests against another build (e.g. with AddressSanitizer).
        if let path = ProcessInfo.processInfo.environment["PROJECTION_INGEST_BINARY"] { return URL(fileURLWithPath: path) }
        // The test bundle sits in the build directory next to the products.
        var dir = Bundle.main.bundleURL
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("projection-ingest")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        return StoreFixture.repositoryRoot.appendingPathComponent(".build/debug/projection-ingest")
    }

    init(environment: [String: String], port: Int = FreePort.next()) {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        env["PORT_HTTP"] = String(port)
        self.environment = env
        self.port = port
        self.logURL = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-\(port).log")
    }

    func start() throws {
        let process = Process()
        process.executableURL = Self.executable
        process.environment = environment
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// A test that fails before its `terminate()` leaves no ingest running behind it.
    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// `kill -9`: no chance to drain or ack.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        // Not `waitUntilExit()`: it can hang when the child already died on its own (a crash) and
        // Foundation's termination notification raced the kill. Poll instead, bounded.
        for _ in 0..<1000 where process.isRunning { usleep(10_000) }
    }

    /// SIGSTOP: the process freezes mid-work (a long GC pause, a stalled VM) and keeps its sockets.
    func freeze() {
        guard let process, process.isRunning else { return }
        ProcessFreezer.freeze(process.processIdentifier)
    }

    /// SIGCONT after `freeze()`.
    func thaw() {
        guard let process else { return }
        kill(process.processIdentifier, SIGCONT)
    }

    /// The process's peak resident set (`VmHWM`), in bytes; nil once it has exited.
    func peakResidentBytes() -> Int? {
        guard let process, process.isRunning,
              let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }

    /// SIGTERM, and how long the process took to exit.
    func terminate(timeout: Duration = .seconds(30)) async -> (exited: Bool, status: Int32) {
        guard let process, process.isRunning else { return (true, self.process?.terminationStatus ?? 0) }
        kill(process.processIdentifier, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning, clock.now < deadline { try? await clock.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill9(); return (false, -1) }
        return (true, process.terminationStatus)
    }

    /// `/admin/ingestion` as JSON, or nil while the process is not answering.
    func admin() async -> [String: Any]? {
        guard let url = URL(string: "http://127.0.0.1:\(port)/admin/ingestion"),
              let (data, response) = try? await URLSession.shared.data(from: url),
              (response as? HTTPURLResponse)?.statusCode == 200 else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// `/readyz`: status and text body, or nil while the process is not answering.
    func readyz() async -> (status: Int, body: String)? {
        guard let url = URL(string: "http://127.0.0.1:\(port)/readyz"),
              let (data, response) = try? await URLSession.shared.data(from: url),
              let http = response as? HTTPURLResponse else { return nil }
        return (http.statusCode, String(decoding: data, as: UTF8.self))
    }

    /// `/metrics` as text ("" while the process is not answering).
    func metricsText() async -> String {
        guard let url = URL(string: "http://127.0.0.1:\(port)/metrics"),
              let (data, _) = try? await URLSession.shared.data(from: url) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    func get(_ path: String) async -> Int? {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)"),
              let (_, response) = try? await URLSession.shared.data(from: url) else { return nil }
        return (response as? HTTPURLResponse)?.statusCode
    }

    /// Any request to the ingest's HTTP port: status and body, or nil while it is not answering.
    func request(_ method: String, _ path: String, token: String? = nil, body: String? = nil, headers: [String: String] = [:]) async -> (status: Int, body: [String: Any])? {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { return nil }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body { request.httpBody = Data(body.utf8); request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        guard let (data, response) = try? await URLSession.shared.data(for: request), let http = response as? HTTPURLResponse else { return nil }
        return (http.statusCode, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    /// Waits until the checkpoint reaches `sequence`; records an issue with the log tail if it does not.
    func waitForCheckpoint(_ sequence: UInt64, timeout: Duration = .seconds(60)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let current = await checkpoint(), current >= sequence { return }
            try await clock.sleep(for: .milliseconds(100))
        }
        Issue.record("ingest did not reach \(sequence); log:\n\(log.suffix(2000))")
    }

    func checkpoint() async -> UInt64? {
        (await admin()?["checkpoint"] as? NSNumber)?.uint64Value
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
}
