extension ClickHouseClient {
    /// A string parameter's value as the server reads `param_<name>`: in the Escaped (TSV) format, where
    /// a backslash starts an escape. Sent raw, `a\tb` arrived as a tab and `a\` failed the query
    /// (CANNOT_PARSE_ESCAPE_SEQUENCE); escaped, every string arrives as sent. `query(_:parameters:)` and
    /// `execute(_:parameters:)` apply it; `query(_:encodedParameters:)` takes values already encoded.
    public static func escapeParameter(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x00 }) else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 8)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
