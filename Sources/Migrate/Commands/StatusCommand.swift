import ArgumentParser

/// `projection-migrate status` (not implemented yet).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show applied and pending migrations.")

    func run() throws {
        throw NotImplementedError(command: "status")
    }
}
