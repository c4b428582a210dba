/// Finds the facts of a refused batch that the store refuses, by probing prefixes of it (pure: the
/// pipeline carries out each `.probe` with `ProjectionStore.probe` and reports whether it was refused).
///
/// A store refuses a set of facts for a data reason when some fact cannot be stored, or when a fact
/// pushes an aggregate past its domain (an int64 SUM overflowing): in both cases adding facts to a
/// refused set keeps it refused, so the shortest refused prefix ends with a fact responsible. That fact
/// is set aside and the rest is probed again, until the rest is accepted:
/// k culprits among n facts take about k·(log2 n + 1) + 2 probes, all without durable effect.
///
/// If even the empty set is refused, or every fact is accepted, the refusal was not caused by these
/// facts: the batch is retried as a failure instead (`notIsolated`), never quarantined on a guess.
public struct RejectionIsolation: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        /// Probe these facts (stream sequences, in order), then call `probed(refused:)`.
        case probe([UInt64])
        /// The facts responsible, in stream order; the batch without them is accepted.
        case isolated([UInt64])
        /// The refusal does not come from the facts.
        case notIsolated
    }

    private enum Phase: Sendable, Equatable {
        case guardEmpty
        case probeRest
        /// Shortest refused prefix of `rest` has a length in low...high.
        case bisect(low: Int, high: Int)
        case finished
    }

    private var rest: [UInt64]
    private var culprits: [UInt64] = []
    private var phase: Phase = .guardEmpty
    /// Probes asked for so far (for logs and metrics).
    public private(set) var probes = 0

    public init(sequences: [UInt64]) {
        rest = sequences
    }

    /// The first probe: the empty set, to tell a data refusal by the facts from one without them.
    public mutating func start() -> Step {
        precondition(phase == .guardEmpty && probes == 0, "start() once")
        return ask([])
    }

    public mutating func probed(refused: Bool) -> Step {
        switch phase {
        case .guardEmpty:
            if refused { return finish() }
            phase = .probeRest
            return ask(rest)
        case .probeRest:
            guard refused else { return finish() }
            if rest.count == 1 { return found(0) }
            // The whole rest is refused: its shortest refused prefix has 1...rest.count facts.
            phase = .bisect(low: 1, high: rest.count)
            return ask(Array(rest.prefix((1 + rest.count) / 2)))
        case .bisect(let low, let high):
            let probedLength = (low + high) / 2
            let (newLow, newHigh) = refused ? (low, probedLength) : (probedLength + 1, high)
            if newLow >= newHigh { return found(newLow - 1) }
            phase = .bisect(low: newLow, high: newHigh)
            return ask(Array(rest.prefix((newLow + newHigh) / 2)))
        case .finished:
            preconditionFailure("isolation already finished")
        }
    }

    private mutating func found(_ index: Int) -> Step {
        culprits.append(rest.remove(at: index))
        phase = .probeRest
        if rest.isEmpty { return finish() }
        return ask(rest)
    }

    private mutating func finish() -> Step {
        phase = .finished
        return culprits.isEmpty ? .notIsolated : .isolated(culprits.sorted())
    }

    private mutating func ask(_ facts: [UInt64]) -> Step {
        probes += 1
        return .probe(facts)
    }
}
