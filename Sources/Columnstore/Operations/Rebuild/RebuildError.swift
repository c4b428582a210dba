/// A rebuild or cutover that cannot go on. `description` is safe to show: no credentials.
public struct RebuildError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable {
            case nothingToCutOver = "nothing_to_cut_over"
            case nothingToRollBack = "nothing_to_roll_back"
            case ingestUnavailable = "ingest_unavailable"
            case notCaughtUp = "not_caught_up"
            case tablesLocked = "tables_locked"
            case otherDurables = "other_durables"
            case cutoverInterrupted = "cutover_interrupted"
        }
        fileprivate let base: Base
        /// No shadow tables: run a rebuild first.
        public static let nothingToCutOver = Code(base: .nothingToCutOver)
        /// No `__previous` tables: the cutover did not keep them.
        public static let nothingToRollBack = Code(base: .nothingToRollBack)
        /// The rebuild's or the live ingest's HTTP endpoint did not answer as expected.
        public static let ingestUnavailable = Code(base: .ingestUnavailable)
        /// The rebuild stopped before reaching the stream's end.
        public static let notCaughtUp = Code(base: .notCaughtUp)
        /// Another session kept a lock on a table the cutover renames past its wait; nothing was swapped.
        public static let tablesLocked = Code(base: .tablesLocked)
        /// Durables the rebuild does not replay keep checkpoints or quarantine entries in the live tables.
        public static let otherDurables = Code(base: .otherDurables)
        /// A ClickHouse swap stopped part-way (its journal records how far): the live ingest stays paused
        /// and cannot load its checkpoint until the same command, run again, finishes the swap.
        public static let cutoverInterrupted = Code(base: .cutoverInterrupted)
        public var description: String { base.rawValue }
    }

    public var code: Code
    public var detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "rebuild \(code): \(detail)" }
}
