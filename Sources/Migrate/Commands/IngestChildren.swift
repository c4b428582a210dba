import Foundation

/// The projection-ingest children `rebuild` has running, stopped with it: a SIGTERM or SIGINT to
/// projection-migrate (a job's deadline, Ctrl-C; Foundation starts children in their own process group,
/// so the terminal's signal does not reach them) SIGTERMs each child, waits for its drain, then exits
/// with the signal's status. Without this a replay outlived its command, holding its durable and port and
/// writing shadow tables that a second `rebuild` re-creates under it.
enum IngestChildren {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var running: [Process] = []
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    nonisolated(unsafe) private static var signalled = false

    /// Whether a signal is stopping the command: a child exiting now was stopped by it (not a failure to
    /// report), and a child started now is stopped at once.
    static var isStopping: Bool { lock.withLock { signalled } }

    /// How long a child may drain after the command was signalled.
    static let drainTimeout: TimeInterval = 60

    static func add(_ process: Process) {
        lock.withLock {
            if sources.isEmpty { installHandlers() }
            running.append(process)
        }
    }

    static func remove(_ process: Process) {
        lock.withLock { running.removeAll { $0 === process } }
    }

    /// Only under `lock`.
    private static func installHandlers() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stopAll(andExitWith: number) }
            source.resume()
            sources.append(source)
        }
    }

    private static func stopAll(andExitWith number: Int32) {
        let children: [Process]? = lock.withLock {
            // A second signal while the first is handled: the first handler exits, alone.
            guard !signalled else { return nil }
            signalled = true
            return running
        }
        guard let children else { return }
        if !children.isEmpty {
            FileHandle.standardError.write(Data("projection-migrate: signal \(number): stopping the rebuild's projection-ingest (it drains first)\n".utf8))
        }
        for child in children where child.isRunning { kill(child.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(drainTimeout)
        for child in children {
            while child.isRunning, Date() < deadline { usleep(50_000) }
            if child.isRunning { kill(child.processIdentifier, SIGKILL) }
        }
        exit(128 + number)
    }
}
