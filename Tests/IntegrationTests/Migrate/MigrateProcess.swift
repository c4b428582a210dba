import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `projection-migrate` executable as a child process (posix_spawn + waitpid polling;
/// `Process.waitUntilExit` can hang here when children outlive it).
struct MigrateProcess {
    struct Outcome {
        var status: Int32
        var output: String
        var error: String
        /// stdout and stderr together, for messages.
        var all: String { output + error }
    }

    static var executable: String {
        var dir = Bundle.main.bundleURL
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("projection-migrate")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            dir.deleteLastPathComponent()
        }
        return StoreFixture.repositoryRoot.appendingPathComponent(".build/debug/projection-migrate").path
    }

    let pid: pid_t
    private let outPath: String
    private let errPath: String

    /// Starts `projection-migrate <arguments>` with `environment` over the test's own (the store
    /// settings are always passed explicitly, so the parent's never leak in).
    init(_ arguments: [String], environment: [String: String]) throws {
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("PROJECTION_") { env[key] = nil }
        for (key, value) in environment { env[key] = value }
        let tag = UUID().uuidString
        outPath = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(tag).out").path
        errPath = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(tag).err").path

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        let argv = ([Self.executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, Self.executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        self.pid = pid
    }

    /// Waits for the exit (killing the child after `timeout`) and collects its output.
    func wait(timeout: Duration = .seconds(180)) async -> Outcome {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if clock.now > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            try? await clock.sleep(for: .milliseconds(50))
        }
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
        let code: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let error = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
        return Outcome(status: code, output: output, error: error)
    }

    /// What the child printed to stdout so far.
    func outputSoFar() -> String {
        (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    }

    /// Runs to completion.
    static func run(_ arguments: [String], environment: [String: String]) async throws -> Outcome {
        try await MigrateProcess(arguments, environment: environment).wait()
    }
}
