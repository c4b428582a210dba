/// The per-statement state machine for applying one file to a store without transactional DDL
/// (ClickHouse).
///
/// The durable state is the ledger's `statements_applied` for the file. Steps alternate between
/// running a statement and recording the new count, so a crash at any point leaves the ledger at
/// the count of statements known to have run; the next run resumes from the statement after it.
/// The one unavoidable window is a crash after a statement ran but before its count was recorded:
/// that statement runs again on resume, which is why migration statements must be idempotent
/// (`IF NOT EXISTS`, `ADD COLUMN IF NOT EXISTS`).
public struct ResumableFileRun: Sendable, Hashable {
    /// What to do next.
    public enum Step: Sendable, Hashable {
        /// Write the ledger row with 0 statements applied (records the checksum before any DDL runs).
        case recordStart
        /// Run statement `index` (0-based).
        case execute(index: Int)
        /// Write `applied` as the file's applied-statement count.
        case record(applied: Int)
        /// Every statement ran and was recorded.
        case done
    }

    /// Statements in the file.
    public let total: Int
    /// The step to perform now.
    public private(set) var step: Step

    /// Starts or resumes a file.
    /// - Parameter recorded: the ledger's applied count for the file, or nil when it has no row yet.
    public init(total: Int, recorded: Int?) {
        self.total = max(0, total)
        guard let recorded else {
            step = .recordStart
            return
        }
        let applied = min(max(0, recorded), self.total)
        step = applied < self.total ? .execute(index: applied) : .done
    }

    /// The number of statements the ledger will show once the current step is done.
    public var recordedAfterStep: Int? {
        switch step {
        case .recordStart: return 0
        case .record(let applied): return applied
        case .execute, .done: return nil
        }
    }

    /// Marks the current step as done and moves to the next one.
    public mutating func advance() {
        switch step {
        case .recordStart:
            step = total > 0 ? .execute(index: 0) : .done
        case .execute(let index):
            step = .record(applied: index + 1)
        case .record(let applied):
            step = applied < total ? .execute(index: applied) : .done
        case .done:
            break
        }
    }
}
