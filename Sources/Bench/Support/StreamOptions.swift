import ArgumentParser

/// Where facts go: the NATS server, the stream and the subject prefix (`<prefix>.<tenant>.<type>`).
struct StreamOptions: ParsableArguments {
    @Option(help: "NATS server URL, or several separated by commas (a cluster's nodes).")
    var nats: String = "nats://127.0.0.1:4222"

    @Option(help: "Copies of the stream when it is created (3 in a JetStream cluster).")
    var streamReplicas: Int = 1

    @Option(help: "JetStream stream name (created with subject '<prefix>.>' if missing).")
    var stream: String

    @Option(help: "Subject prefix; subjects are <prefix>.<tenant>.<fact type>.")
    var prefix: String

    var subjects: [String] { ["\(prefix).>"] }

    func subject(for fact: BenchFact) -> String { "\(prefix).\(fact.tenant).\(fact.factType)" }
}

/// Which facts: how many, over how many tenants, from which seed.
struct CorpusOptions: ParsableArguments {
    @Option(help: "Number of facts.")
    var facts: Int = 20_000

    @Option(help: "Number of tenants (t1…tN).")
    var tenants: Int = 10

    @Option(help: "Generator seed.")
    var seed: UInt64 = 7

    var generator: FactGenerator { FactGenerator(tenantCount: tenants, seed: seed) }
}
