/// The one reading of `Authorization: Bearer <token>` that the query API, the ingress and the admin
/// endpoints share (RFC 6750 2.1: `"Bearer" 1*SP b64token`; the scheme is case-insensitive, RFC 9110 11.1).
public enum BearerToken {
    /// The token of an Authorization value; nil for another scheme, no token, or a token holding a space
    /// or tab (no b64token does). Spaces and tabs around the token are dropped. Byte-wise: this runs on
    /// every request, and Foundation's trimming showed in a single event's profile.
    public static func parse(_ value: String?) -> Substring? {
        guard let value else { return nil }
        let scheme = "bearer".utf8
        // Sliced by UTF-8 code units, never by Character: a combining mark after a space must not
        // merge with it into one grapheme and be dropped with it.
        var rest = Substring(value).utf8[...]
        guard rest.count > scheme.count,
              zip(rest.prefix(scheme.count), scheme).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        rest = rest.dropFirst(scheme.count)
        // At least one space between scheme and token.
        guard rest.first == 0x20 else { return nil }
        while let c = rest.first, c == 0x20 || c == 0x09 { rest = rest.dropFirst() }
        while let c = rest.last, c == 0x20 || c == 0x09 { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains(0x20), !rest.contains(0x09) else { return nil }
        return Substring(rest)
    }
}
