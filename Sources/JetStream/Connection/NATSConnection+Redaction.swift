extension NATSConnection {
    /// `url` (or a comma-separated list of URLs) with passwords and tokens replaced by `***`,
    /// safe for logs: `nats://app:secret@host:4222` becomes `nats://app:***@host:4222`.
    public static func redact(url: String) -> String {
        redactCredentials(in: url)
    }

    /// Redacts the user-info part of every `scheme://user:pass@host` found anywhere in `text`.
    static func redactCredentials(in text: String) -> String {
        guard text.contains("://") else { return text }
        var result = ""
        var rest = Substring(text)
        while let schemeEnd = rest.range(of: "://") {
            result += rest[..<schemeEnd.upperBound]
            rest = rest[schemeEnd.upperBound...]
            // This URL runs to whitespace, or in a list to the ',' before the next "://". Its user-info ends
            // at the last '@' in it, since a password may itself hold '/', '@', ':' or ','; only after that
            // does the host end, at '/', ',' or whitespace. An '@' in a path masks more, never less.
            let tokenEnd = rest.firstIndex(where: \.isWhitespace) ?? rest.endIndex
            var urlEnd = tokenEnd
            if let next = rest[..<tokenEnd].range(of: "://"), let comma = rest[..<next.lowerBound].lastIndex(of: ",") {
                urlEnd = comma
            }
            var hostStart = rest.startIndex
            if let at = rest[..<urlEnd].lastIndex(of: "@") {
                let userInfo = rest[..<at]
                if let colon = userInfo.firstIndex(of: ":") {
                    result += userInfo[..<colon] + ":***"
                } else {
                    result += "***" // a bare token
                }
                hostStart = at
            }
            let hostEnd = rest[hostStart...].firstIndex { $0 == "/" || $0 == "," || $0.isWhitespace } ?? rest.endIndex
            result += rest[hostStart..<hostEnd]
            rest = rest[hostEnd...]
        }
        return result + rest
    }
}
