import Columnstore

extension BatchStep {
    /// The steps that write the batch's rows: where a store refuses facts.
    var writesRows: Bool { self == .commitTransaction || self == .insertRows }
}
