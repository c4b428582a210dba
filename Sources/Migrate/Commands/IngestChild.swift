import Columnstore
import Foundation

/// A projection-ingest started by `rebuild`, logging to a file (not a pipe, so it can never block on us).
final class IngestChild: @unchecked Sendable {
    private let process: Process
    let logPath: String

    static func defaultBinary() -> String {
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return own.deletingLastPathComponent().appendingPathComponent("projection-ingest").path
    }

    static func start(binary: String, environment: [String: String]) throws -> IngestChild {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("projection-rebuild-\(ProcessInfo.processInfo.processIdentifier).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        // Registered first: a signal between the start and the registration would leave it behind.
        IngestChildren.add(process)
        do {
            try process.run()
        } catch {
            IngestChildren.remove(process)
            throw RebuildError(code: .ingestUnavailable, detail: "cannot start \(binary) (pass --ingest-binary): \(error.localizedDescription)")
        }
        // Started as a signal was being handled: its handler did not see this child.
        if IngestChildren.isStopping { kill(process.processIdentifier, SIGTERM) }
        return IngestChild(process: process, logPath: log.path)
    }

    private init(process: Process, logPath: String) {
        self.process = process
        self.logPath = logPath
    }

    var isRunning: Bool { process.isRunning }
    var exitStatus: Int32 { process.isRunning ? 0 : process.terminationStatus }

    /// SIGTERM (ingest drains), then waits; SIGKILL after `timeout`.
    func terminate(timeout: Duration) async -> Bool {
        defer { if !process.isRunning { IngestChildren.remove(process) } }
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning, clock.now < deadline { try? await clock.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); return false }
        return true
    }
}
