import ArgumentParser

/// `projection-migrate plan` (not implemented yet).
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Print the migrations apply would run.")

    func run() throws {
        throw NotImplementedError(command: "plan")
    }
}
