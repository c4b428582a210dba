import ArgumentParser

/// `projection-bench`: the fast half of `bench/` — publishing facts and measuring raw limits in Swift,
/// so the numbers are not bounded by the Python orchestrator. Each subcommand prints one JSON object.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projection-bench",
        abstract: "Benchmark drivers for bench/run.py (each prints one JSON result on stdout).",
        subcommands: [
            PublishCommand.self, RawNATSCommand.self, PrepareStoreCommand.self, RawInsertCommand.self,
            QueryLoadCommand.self, FreshnessCommand.self, IngressLoadCommand.self,
        ])
}
