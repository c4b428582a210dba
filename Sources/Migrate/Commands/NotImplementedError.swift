/// Raised by subcommands that are declared but not built yet.
struct NotImplementedError: Error, CustomStringConvertible {
    var command: String

    var description: String { "projection-migrate \(command) is not implemented yet" }
}
