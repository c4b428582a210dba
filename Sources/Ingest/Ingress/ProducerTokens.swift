import Columnstore
import Foundation
import HTTPGuards

/// Producer bearer tokens of the ingress: `TOKEN=tenant[,tenant…]:type[,type…]` (or `:*` for every
/// fact type). `PROJECTION_INGRESS_TOKENS` separates entries with `;`, `PROJECTION_INGRESS_TOKENS_FILE`
/// has one per line (`#` comments). Tokens never appear in errors or logs.
struct ProducerTokens: Sendable {
    /// Keyed by each token's digest (`TokenDigest`): a lookup never compares the token itself.
    private var grants: [TokenDigest: ProducerGrant] = [:]

    init(_ grants: [String: ProducerGrant] = [:]) {
        self.grants = Dictionary(grants.map { (TokenDigest($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    var isEmpty: Bool { grants.isEmpty }

    func grant(for token: String) -> ProducerGrant? { grants[TokenDigest(token)] }

    /// The grant of the request's `Authorization: Bearer …` header.
    func authorize(_ authorization: String?) throws(IngressError) -> ProducerGrant {
        guard let token = BearerToken.parse(authorization) else {
            throw IngressError(.unauthorized, attribute: "Authorization", "a producer token is required (Authorization: Bearer <token>)")
        }
        guard let grant = grants[TokenDigest(token)] else {
            throw IngressError(.unauthorized, attribute: "Authorization", "unknown producer token")
        }
        return grant
    }

    static func parse(_ text: String, separator: Character, setting: String) throws -> ProducerTokens {
        var table = ProducerTokens()
        for (index, rawEntry) in text.split(separator: separator, omittingEmptySubsequences: false).enumerated() {
            let entry = rawEntry.trimmingCharacters(in: .whitespacesAndNewlines)
            if entry.isEmpty || entry.hasPrefix("#") { continue }
            // Messages cite the entry number only: the entry holds a token.
            guard let eq = entry.firstIndex(of: "="), let colon = entry[eq...].firstIndex(of: ":") else {
                throw ConfigurationError(code: .invalid, setting: setting, reason: "entry \(index + 1) is not TOKEN=tenant[,tenant…]:type[,type…] (or :*)")
            }
            let token = entry[..<eq].trimmingCharacters(in: .whitespaces)
            func list(_ s: Substring) -> [String] {
                s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            let tenants = list(entry[entry.index(after: eq)..<colon])
            let types = list(entry[entry.index(after: colon)...])
            guard token.count >= 16, token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw ConfigurationError(code: .invalid, setting: setting, reason: "entry \(index + 1): tokens need at least 16 printable ASCII characters")
            }
            guard !tenants.isEmpty, tenants.allSatisfy(SubjectTemplate.isTenantToken) else {
                throw ConfigurationError(code: .invalid, setting: setting, reason: "entry \(index + 1): name each tenant (no wildcard; no '.', '*', '>' or spaces)")
            }
            guard !types.isEmpty, types == ["*"] || types.allSatisfy(SubjectTemplate.isTypeTokens) else {
                throw ConfigurationError(code: .invalid, setting: setting, reason: "entry \(index + 1): name the fact types (or *)")
            }
            guard table.grants[TokenDigest(token)] == nil else {
                throw ConfigurationError(code: .invalid, setting: setting, reason: "entry \(index + 1) repeats a token")
            }
            table.grants[TokenDigest(token)] = ProducerGrant(tenants: Set(tenants), types: types == ["*"] ? nil : Set(types))
        }
        return table
    }

    func merging(_ other: ProducerTokens, setting: String) throws -> ProducerTokens {
        var merged = self
        for (token, grant) in other.grants {
            guard merged.grants[token] == nil else {
                throw ConfigurationError(code: .invalid, setting: setting, reason: "a token is also in PROJECTION_INGRESS_TOKENS")
            }
            merged.grants[token] = grant
        }
        return merged
    }
}
