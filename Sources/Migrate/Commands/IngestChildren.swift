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
        let children = lock.withLock { running }
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
