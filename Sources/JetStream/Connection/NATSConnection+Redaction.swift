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
            // The authority ends at the first '/', ',' or whitespace; user-info ends at its last '@'.
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "," || $0.isWhitespace } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                let userInfo = authority[..<at]
                if let colon = userInfo.firstIndex(of: ":") {
                    result += userInfo[..<colon] + ":***"
                } else {
                    result += "***" // a bare token
                }
                result += authority[at...]
            } else {
                result += authority
            }
            rest = rest[authorityEnd...]
        }
        return result + rest
    }
}
