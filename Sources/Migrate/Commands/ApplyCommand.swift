import ArgumentParser

/// `projection-migrate apply` (not implemented yet).
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Apply pending migrations to the store.")

    func run() throws {
        throw NotImplementedError(command: "apply")
    }
}
