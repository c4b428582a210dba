import Foundation

/// The one place settings are read from: the environment, over an optional file of `NAME=value` lines
/// named by `PROJECTION_CONFIG_FILE`. The environment wins, so a file can hold defaults for a fleet and a
/// deployment can override one setting.
public struct SettingsSource: Sendable {
    public static let configFileSetting = "PROJECTION_CONFIG_FILE"

    private let values: [String: String]
    /// Records every name asked for (the drift tests), when given.
    private let log: SettingsReadLog?

    public init(values: [String: String], log: SettingsReadLog? = nil) {
        self.values = values
        self.log = log
    }

    /// Reads the process environment and, if it names one, the config file.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SettingsSource {
        var merged: [String: String] = [:]
        if let path = environment[configFileSetting], !path.isEmpty {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(code: .unreadableFile, setting: configFileSetting, reason: "no readable file at \(path)")
            }
            merged = try parseFile(text, path: path)
        }
        for (key, value) in environment { merged[key] = value }
        return SettingsSource(values: merged)
    }

    static func parseFile(_ text: String, path: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigurationError(code: .invalid, setting: configFileSetting, reason: "\(path):\(index + 1) is not NAME=value")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            result[key] = value
        }
        return result
    }

    /// A non-empty value, or nil.
    public func string(_ name: String) -> String? {
        log?.record(name)
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public func string(_ name: String, default fallback: String) -> String {
        string(name) ?? fallback
    }

    public func required(_ name: String, hint: String) throws -> String {
        guard let value = string(name) else { throw ConfigurationError(code: .missing, setting: name, reason: hint) }
        return value
    }

    public func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = string(name) else { return fallback }
        guard let value = Int(raw) else {
            throw ConfigurationError(code: .invalid, setting: name, reason: "expected an integer, got \"\(raw)\"")
        }
        guard range.contains(value) else {
            throw ConfigurationError(code: .invalid, setting: name, reason: "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    /// A duration in milliseconds (`NAME` is expected to end in `_MS`).
    public func milliseconds(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Duration {
        .milliseconds(try int(name, default: fallback, range: range))
    }

    public func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let raw = string(name)?.lowercased() else { return fallback }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(code: .invalid, setting: name, reason: "expected true or false, got \"\(raw)\"")
        }
    }

    public func oneOf<T>(_ name: String, default fallback: T, choices: [String: T]) throws -> T {
        guard let raw = string(name) else { return fallback }
        guard let value = choices[raw] else {
            throw ConfigurationError(code: .invalid, setting: name, reason: "expected one of \(choices.keys.sorted().joined(separator: ", ")), got \"\(raw)\"")
        }
        return value
    }
}
