import Columnstore

/// `PROJECTION_INGRESS_SUBJECT` (default `facts.{tenant}.{type}`): the subject an event is published
/// to, from its tenant and fact type. A fact type may hold dots (`orders.order_placed.v1`), so it
/// spans several tokens; the tenant is always exactly one token.
struct SubjectTemplate: Sendable, Equatable {
    static let defaultTemplate = "facts.{tenant}.{type}"
    let template: String
    /// The template's tokens, split once (placeholders are whole tokens), for `subject` on the hot path.
    private let tokens: [String]

    init(_ template: String, setting: String = "PROJECTION_INGRESS_SUBJECT") throws {
        let tokens = template.split(separator: ".", omittingEmptySubsequences: false)
        guard tokens.filter({ $0 == "{tenant}" }).count == 1 else {
            throw ConfigurationError(code: .invalid, setting: setting, reason: "must contain {tenant} exactly once, as a whole token")
        }
        for token in tokens where token != "{tenant}" && token != "{type}" {
            guard Self.isLiteralToken(token) else {
                throw ConfigurationError(code: .invalid, setting: setting, reason: "tokens must be {tenant}, {type} or non-empty literals without spaces, '*', '>', '{' or '}'")
            }
        }
        self.template = template
        self.tokens = tokens.map(String.init)
    }

    /// The 1-based token position of `{tenant}`, if every token before it is a literal (so the tenant
    /// sits at a fixed position whatever the fact type).
    var tenantTokenPosition: Int? {
        let tokens = template.split(separator: ".", omittingEmptySubsequences: false)
        guard let index = tokens.firstIndex(of: "{tenant}"), tokens[..<index].allSatisfy({ $0 != "{type}" }) else { return nil }
        return index + 1
    }

    /// The subject for a tenant and type already checked by `IngressEvent`'s rules.
    func subject(tenant: String, type: String) -> String {
        // Concatenated, not `replacingOccurrences`: that went through NSString and cost a tenth of a batch's time.
        var subject = ""
        subject.reserveCapacity(template.utf8.count + tenant.utf8.count + type.utf8.count)
        for (index, token) in tokens.enumerated() {
            if index > 0 { subject.append(".") }
            switch token {
            case "{tenant}": subject.append(tenant)
            case "{type}": subject.append(type)
            default: subject.append(token)
            }
        }
        return subject
    }

    /// Whether `subject` is captured by the NATS subject filter `filter` (`*` one token, `>` the rest).
    static func matches(_ subject: String, filter: String) -> Bool {
        let s = subject.split(separator: ".", omittingEmptySubsequences: false)
        let f = filter.split(separator: ".", omittingEmptySubsequences: false)
        for (i, token) in f.enumerated() {
            if token == ">" { return s.count > i }
            guard i < s.count else { return false }
            if token != "*" && token != s[i] { return false }
        }
        return s.count == f.count
    }

    static func isLiteralToken<S: StringProtocol>(_ token: S) -> Bool {
        // By UTF-8 byte: every byte of a non-ASCII scalar is >= 0x80, so it passes as its scalar would.
        !token.isEmpty && token.utf8.allSatisfy(isTokenByte)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0...0x20, 0x7F, UInt8(ascii: "*"), UInt8(ascii: ">"), UInt8(ascii: "{"), UInt8(ascii: "}"): false
        default: true
        }
    }

    /// A tenant fits one subject token.
    static func isTenantToken(_ tenant: String) -> Bool {
        !tenant.contains(".") && isLiteralToken(tenant)
    }

    /// A fact type fits one or more subject tokens.
    static func isTypeTokens(_ type: String) -> Bool {
        // One pass over the bytes (checked for every event of a batch).
        var tokenLength = 0
        for byte in type.utf8 {
            if byte == UInt8(ascii: ".") {
                guard tokenLength > 0 else { return false }
                tokenLength = 0
            } else {
                guard isTokenByte(byte) else { return false }
                tokenLength += 1
            }
        }
        return tokenLength > 0
    }
}
