import Columnstore
import Foundation
import Testing

/// A SIGTERM (or Ctrl-C) to `projection-migrate rebuild` stops its projection-ingest child too: before, the
/// replay outlived its command (Foundation starts children in their own process group), holding its durable
/// and port and writing shadow tables a second `rebuild` would re-create under it. The stream is empty, so the
/// replay never catches up and the child is certainly running when the signal comes (no timing in the verdict).
@Suite("Rebuild stopped by a signal (dev stack)", .serialized)
struct RebuildSignalTests {
    /// Pids of `pid`'s children (every thread's list).
    static func children(of pid: pid_t) -> [pid_t] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    /// Whether `pid` is a live process (a zombie is not: it has exited).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z" && state != "X"
    }

    @Test("SIGTERM to rebuild drains and stops its ingest child, then exits with the signal's status", arguments: [StoreKind.postgres])
    func sigtermStopsTheChild(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "rebuildsig")
        let stream = DevStack.uniqueName("REBUILDSIG").uppercased()
        let subject = stream.lowercased()
        _ = try await FactPublisher.publish(FactCorpus(subjectPrefix: subject, orders: 1, seed: 5), stream: stream, subjects: ["\(subject).>"], range: 0..<0)
        let migrate = try MigrateProcess(["rebuild", "--live-stopped"], environment: [
            "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "sig-\(subject)",
        ])
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var child: pid_t?
        while child == nil, clock.now < deadline {
            child = Self.children(of: migrate.pid).first { Self.isAlive($0) }
            if child == nil { try await clock.sleep(for: .milliseconds(100)) }
        }
        let ingest = try #require(child, "rebuild started no child; its output: \(migrate.outputSoFar())")
        // Past the start: its durable is bound (its admin answers only once the process is up).
        try await clock.sleep(for: .milliseconds(500))
        kill(migrate.pid, SIGTERM)
        let outcome = await migrate.wait(timeout: .seconds(120))
        #expect(outcome.status == 128 + SIGTERM, "\(outcome.all)")
        let alive = Self.isAlive(ingest)
        #expect(!alive, "the rebuild's projection-ingest outlived its command")
        if alive { kill(ingest, SIGKILL) }
        await FactPublisher.deleteStream(stream)
        await fixture.drop()
    }
}
