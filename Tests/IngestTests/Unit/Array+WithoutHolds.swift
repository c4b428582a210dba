@testable import Ingest

extension Array {
    /// The actions without `.hold`: tests of batching and sequencing compare what else happens.
    func withoutHolds<G>() -> [BatchStateMachine<G>.Action] where Element == BatchStateMachine<G>.Action {
        filter { if case .hold = $0 { false } else { true } }
    }
}
