import ArgumentParser
import Columnstore

/// projection-query: the tenant-scoped HTTP JSON API over a projection's read models.
@main
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projection-query",
        abstract: "Serve a projection's query RPCs as a tenant-scoped HTTP JSON API (Connect unary JSON).",
        version: BuildInfo.productVersion,
        subcommands: [ServeCommand.self, OpenAPICommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
