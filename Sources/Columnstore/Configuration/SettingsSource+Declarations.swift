extension SettingsSource {
    /// The value, or the declared default (nil: unset).
    public func string(_ setting: SettingDeclaration) -> String? {
        string(setting.name) ?? setting.stringDefault
    }

    public func required(_ setting: SettingDeclaration, hint: String) throws -> String {
        try required(setting.name, hint: hint)
    }

    /// The value within the declared range, or the declared default (nil: unset).
    public func int(_ setting: SettingDeclaration) throws -> Int? {
        guard case .int(let range) = setting.kind else { preconditionFailure("\(setting.name) is not an integer setting") }
        guard string(setting.name) != nil else { return setting.intDefault }
        return try int(setting.name, default: 0, range: range)
    }

    public func milliseconds(_ setting: SettingDeclaration) throws -> Duration? {
        guard case .milliseconds(let range) = setting.kind else { preconditionFailure("\(setting.name) is not a milliseconds setting") }
        guard string(setting.name) != nil else { return setting.intDefault.map { .milliseconds($0) } }
        return try milliseconds(setting.name, default: 0, range: range)
    }

    public func bool(_ setting: SettingDeclaration) throws -> Bool {
        try bool(setting.name, default: setting.boolDefault ?? false)
    }

    public func oneOf<T>(_ setting: SettingDeclaration, choices: [String: T]) throws -> T {
        guard let fallback = setting.stringDefault.flatMap({ choices[$0] }) else { preconditionFailure("\(setting.name) declares no valid default") }
        return try oneOf(setting.name, default: fallback, choices: choices)
    }
}
