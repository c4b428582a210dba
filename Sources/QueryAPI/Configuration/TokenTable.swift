import Foundation
import Columnstore

/// Bearer tokens and the tenants each may read (`*` = every tenant).
///
/// Entries are `TOKEN=tenant-a,tenant-b` (or `TOKEN=*`); `PROJECTION_TOKENS` separates entries
/// with `;`, `PROJECTION_TOKENS_FILE` has one per line (`#` comments). Tokens never appear in
/// errors or logs.
struct TokenTable: Sendable {
    /// The tenants a token may read.
    enum Grant: Sendable, Hashable {
        case all
        case tenants(Set<String>)

        func allows(_ tenant: String) -> Bool {
            switch self {
            case .all: return true
            // By bytes, as the stores compare tenants: Swift's `==` would let a grant of "café" (composed)
            // read "café" (decomposed), another tenant to both stores.
            case .tenants(let set): return set.firstIndex(of: tenant).map { set[$0].hasSameBytes(as: tenant) } ?? false
            }
        }
    }

    /// Keyed by each token's digest (`TokenDigest`): a lookup never compares the token itself.
    private var grants: [TokenDigest: Grant] = [:]

    init(_ grants: [String: Grant] = [:]) {
        self.grants = Dictionary(grants.map { (TokenDigest($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// Whether tokens are configured (then every query request needs one).
    var isEnabled: Bool { !grants.isEmpty }

    /// The grant of a token, or nil for an unknown token.
    func grant(for token: String) -> Grant? { grants[TokenDigest(token)] }

    mutating func merge(_ other: TokenTable) {
        grants.merge(other.grants) { a, b in
            switch (a, b) {
            case (.all, _), (_, .all): return .all
            case (.tenants(let x), .tenants(let y)): return .tenants(x.union(y))
            }
        }
    }

    static func parse(_ text: String, separator: Character, setting: String) throws -> TokenTable {
        var table = TokenTable()
        for (index, rawEntry) in text.split(separator: separator, omittingEmptySubsequences: false).enumerated() {
            let entry = rawEntry.trimmingCharacters(in: .whitespacesAndNewlines)
            if entry.isEmpty || entry.hasPrefix("#") { continue }
            // Messages cite the entry number only: the entry holds a token.
            guard let eq = entry.firstIndex(of: "=") else {
                throw ConfigurationError(code: .invalid, setting: setting, reason: "entry \(index + 1) is not TOKEN=tenant[,tenant…]")
            }
            let token = entry[..<eq].trimmingCharacters(in: .whitespaces)
            let tenants = entry[entry.index(after: eq)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard token.count >= 16, token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw ConfigurationError(code: .invalid, setting: setting, reason: "entry \(index + 1): tokens need at least 16 printable ASCII characters")
            }
            guard !tenants.isEmpty else {
                throw ConfigurationError(code: .invalid, setting: setting, reason: "entry \(index + 1) names no tenant (use * for all)")
            }
            table.merge(TokenTable([token: tenants.contains("*") ? .all : .tenants(Set(tenants))]))
        }
        return table
    }
}
