import ArgumentParser
import Columnstore

/// `projection-migrate`: generates schema migrations from the proto annotations
/// and applies them before every rollout; `hash` fingerprints the projected state (replay validation).
@main
struct ProjectionMigrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projection-migrate",
        abstract: "Generate and apply the projection's store migrations; hash the projected state.",
        discussion: """
        Options are flags (projection-migrate <command> --help). These settings come from the environment (and \
        PROJECTION_CONFIG_FILE, a file of NAME=value lines; the environment wins); a flag naming the same thing wins:
        \(MigrateSettings.all.helpText)

        Every setting: docs/SETTINGS.md.
        """,
        version: BuildInfo.productVersion,
        subcommands: [GenerateCommand.self, CheckCommand.self, PlanCommand.self, ApplyCommand.self, StatusCommand.self, HashCommand.self, RebuildCommand.self, RollbackCommand.self]
    )
}
