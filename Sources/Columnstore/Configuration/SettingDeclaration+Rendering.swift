extension Array where Element == SettingDeclaration {
    /// The `--help` list: one setting per line, with its default.
    public var helpText: String {
        map { setting in
            let shown = setting.shownDefault.map { "default \($0.replacingOccurrences(of: "`", with: ""))" } ?? "required"
            return "  \(setting.name) (\(shown)): \(setting.meaning.replacingOccurrences(of: "`", with: ""))"
        }.joined(separator: "\n")
    }

    /// The docs table (docs/SETTINGS.md).
    public var markdownTable: String {
        var lines = ["| setting | default | accepts | meaning |", "| --- | --- | --- | --- |"]
        for setting in self {
            let meaning = setting.meaning.replacingOccurrences(of: "|", with: "\\|")
            lines.append("| `\(setting.name)` | \(setting.shownDefault ?? "**required**") | \(setting.accepted) | \(meaning) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
