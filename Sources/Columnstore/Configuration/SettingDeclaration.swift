/// One setting an executable reads, declared once. Parsing reads the value through this declaration
/// (its name, default and range), and `--help`, docs/SETTINGS.md and the drift tests are made from the
/// executable's list of them, so the three cannot disagree.
public struct SettingDeclaration: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case string
        case int(ClosedRange<Int>)
        case milliseconds(ClosedRange<Int>)
        case bool
        case choice([String])
    }

    public let name: String
    public let kind: Kind
    /// The default as documented ("5000", "8 MiB", "unset"); nil when the setting is required.
    public let shownDefault: String?
    public let meaning: String
    let intDefault: Int?
    let stringDefault: String?
    let boolDefault: Bool?

    init(name: String, kind: Kind, shownDefault: String?, meaning: String, intDefault: Int? = nil, stringDefault: String? = nil, boolDefault: Bool? = nil) {
        self.name = name
        self.kind = kind
        self.shownDefault = shownDefault
        self.meaning = meaning
        self.intDefault = intDefault
        self.stringDefault = stringDefault
        self.boolDefault = boolDefault
    }

    /// Text; `default` nil means unset (or computed where it is read: say how in `shown`).
    public static func string(_ name: String, default value: String? = nil, shown: String? = nil, _ meaning: String) -> SettingDeclaration {
        SettingDeclaration(name: name, kind: .string, shownDefault: shown ?? value.map { $0.isEmpty ? "empty" : "`\($0)`" } ?? "unset", meaning: meaning, stringDefault: value)
    }

    public static func required(_ name: String, _ meaning: String) -> SettingDeclaration {
        SettingDeclaration(name: name, kind: .string, shownDefault: nil, meaning: meaning)
    }

    /// An integer in `range`; `default` nil means unset (the feature is off).
    public static func int(_ name: String, default value: Int?, range: ClosedRange<Int>, shown: String? = nil, _ meaning: String) -> SettingDeclaration {
        SettingDeclaration(name: name, kind: .int(range), shownDefault: shown ?? value.map { "\($0)" } ?? "unset", meaning: meaning, intDefault: value)
    }

    /// A duration in milliseconds (the name ends in `_MS`).
    public static func milliseconds(_ name: String, default value: Int?, range: ClosedRange<Int>, shown: String? = nil, _ meaning: String) -> SettingDeclaration {
        SettingDeclaration(name: name, kind: .milliseconds(range), shownDefault: shown ?? value.map { "\($0)" } ?? "unset", meaning: meaning, intDefault: value)
    }

    public static func bool(_ name: String, default value: Bool, _ meaning: String) -> SettingDeclaration {
        SettingDeclaration(name: name, kind: .bool, shownDefault: "\(value)", meaning: meaning, boolDefault: value)
    }

    public static func choice(_ name: String, default value: String, choices: [String], _ meaning: String) -> SettingDeclaration {
        SettingDeclaration(name: name, kind: .choice(choices), shownDefault: "`\(value)`", meaning: meaning, stringDefault: value)
    }

    /// What a value may be, for the docs ("1…10000", "true or false").
    public var accepted: String {
        switch kind {
        case .string: "text"
        case .int(let range): "integer \(range.lowerBound)…\(range.upperBound)"
        case .milliseconds(let range): "milliseconds \(range.lowerBound)…\(range.upperBound)"
        case .bool: "true or false"
        case .choice(let choices): choices.map { "`\($0)`" }.joined(separator: " or ")
        }
    }
}
