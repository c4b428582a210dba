/// Helpers for libpq connection strings (URI `postgresql://…` or `key=value …`).
public enum PostgresDSN {
    /// The mask that replaces secrets.
    public static let mask = "***"

    /// `text` with every password masked: the `user:password@` part of URIs and
    /// `password=…` settings (key=value DSNs and URI query parameters, quoted or not).
    ///
    /// Works on whole DSNs and on free text that embeds them (error messages, log lines).
    /// When unsure where a secret ends it masks more rather than less.
    public static func redacted(_ text: String) -> String {
        maskPasswordSettings(in: maskURIPasswords(in: text))
    }

    /// `text` with every occurrence of `secret` masked as well as everything `redacted` masks.
    static func scrubbed(_ text: String, secret: String?) -> String {
        var text = text
        if let secret, !secret.isEmpty {
            text = replacingAll(secret, in: text)
        }
        return redacted(text)
    }

    /// Masks `scheme://user:password@host` userinfo passwords.
    private static func maskURIPasswords(in text: String) -> String {
        let chars = Array(text)
        var out: [Character] = []
        out.reserveCapacity(chars.count)
        var i = 0
        while i < chars.count {
            guard i + 2 < chars.count, chars[i] == ":", chars[i + 1] == "/", chars[i + 2] == "/" else {
                out.append(chars[i])
                i += 1
                continue
            }
            out.append(contentsOf: "://")
            i += 3
            // The URI token runs to the next whitespace; userinfo ends at its last '@'.
            var end = i
            while end < chars.count, !chars[end].isWhitespace { end += 1 }
            guard let at = chars[i..<end].lastIndex(of: "@"),
                  let colon = chars[i..<at].firstIndex(of: ":") else { continue }
            out.append(contentsOf: chars[i...colon])
            out.append(contentsOf: mask)
            i = at
        }
        return String(out)
    }

    /// Masks `password=value` (also `password = 'quoted \' value'` and `?password=…&`).
    private static func maskPasswordSettings(in text: String) -> String {
        let chars = Array(text)
        let key = Array("password")
        var out: [Character] = []
        out.reserveCapacity(chars.count)
        var i = 0
        while i < chars.count {
            let previous: Character? = i > 0 ? chars[i - 1] : nil
            let atBoundary = previous == nil || previous!.isWhitespace || previous == "?" || previous == "&"
            guard atBoundary, i + key.count <= chars.count,
                  zip(chars[i..<(i + key.count)], key).allSatisfy({ $0.lowercased() == String($1) }) else {
                out.append(chars[i])
                i += 1
                continue
            }
            var j = i + key.count
            while j < chars.count, chars[j] == " " { j += 1 }
            guard j < chars.count, chars[j] == "=" else {
                out.append(chars[i])
                i += 1
                continue
            }
            j += 1
            while j < chars.count, chars[j] == " " { j += 1 }
            out.append(contentsOf: chars[i..<j])
            out.append(contentsOf: mask)
            i = valueEnd(chars, from: j, inURIQuery: previous == "?" || previous == "&")
        }
        return String(out)
    }

    /// Index just past a setting's value starting at `start`.
    private static func valueEnd(_ chars: [Character], from start: Int, inURIQuery: Bool) -> Int {
        var j = start
        if j < chars.count, chars[j] == "'" {
            j += 1
            while j < chars.count {
                if chars[j] == "\\" { j += 2; continue }
                if chars[j] == "'" { return j + 1 }
                j += 1
            }
            return chars.count
        }
        while j < chars.count, !chars[j].isWhitespace {
            if inURIQuery, chars[j] == "&" || chars[j] == "#" { break }
            j += 1
        }
        return j
    }

    private static func replacingAll(_ target: String, in text: String) -> String {
        var result = ""
        var rest = text[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += mask
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
