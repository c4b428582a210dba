import ArgumentParser

/// `projection-migrate`: generates schema migrations from the proto annotations
/// and applies them before every rollout.
@main
struct ProjectionMigrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projection-migrate",
        abstract: "Generate and apply the projection's store migrations.",
        subcommands: [GenerateCommand.self, PlanCommand.self, ApplyCommand.self, StatusCommand.self]
    )
}
