import Foundation

extension FactCorpus {
    /// `count` poison facts in a row, the four kinds of the corpus' own (bad JSON, a wrong type, a missing
    /// idempotency key, no id) in turn, with message ids no corpus uses.
    static func poisonFlood(subjectPrefix: String, count: Int) -> FactCorpus {
        var flood = FactCorpus(subjectPrefix: subjectPrefix, orders: 0)
        let tenants = ["t1", "t2", "t3"]
        for k in 0..<count { flood.poison(1_000_000 + k, tenant: tenants[k % tenants.count], prefix: subjectPrefix) }
        flood.messages = flood.messages.map { var m = $0; m.subject = "\(subjectPrefix).\(m.subject)"; return m }
        return flood
    }

    /// A producer's duplicate flood: every fact of `corpus` but its poison ones, `rounds` more times, each
    /// under a new message id (so the stream's duplicate window lets it through); the totals must not move.
    static func duplicateFlood(of corpus: FactCorpus, rounds: Int) -> FactCorpus {
        var flood = corpus
        flood.messages = (1...rounds).flatMap { round in
            corpus.messages.filter { !$0.messageID.hasPrefix("poison-") }.map { var m = $0; m.messageID = "dup\(round)-\(m.messageID)"; return m }
        }
        return flood
    }
}
