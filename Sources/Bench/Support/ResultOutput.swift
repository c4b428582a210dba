import Foundation

/// Writes a subcommand's result as one JSON object on stdout (the orchestrator's input).
enum ResultOutput {
    static func emit(_ fields: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
