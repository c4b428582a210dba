import HTTPGuards
import Hummingbird

/// Who may read which tenant: the tenant header, multi-tenancy and optional bearer tokens.
struct AccessPolicy: Sendable {
    /// Longest accepted tenant id, in UTF-8 bytes.
    static let maxTenantBytes = 256

    /// Lower-cased tenant header name.
    let tenantHeader: String
    let multiTenant: Bool
    let defaultTenant: String
    let tokens: TokenTable

    init(configuration: QueryConfiguration) {
        self.tenantHeader = configuration.tenantHeader.lowercased()
        self.multiTenant = configuration.multiTenant
        self.defaultTenant = configuration.defaultTenant
        self.tokens = configuration.tokens
    }

    /// The tenant the request may read. Authentication comes first (401), then the tenant
    /// header (400), then the token's grant for that tenant (403).
    func tenant(for headers: HTTPFields) throws(ConnectError) -> String {
        var grant: TokenTable.Grant?
        if tokens.isEnabled {
            let values = headers[values: .authorization]
            guard values.count == 1, let value = values.first else {
                throw ConnectError(.unauthenticated, "a bearer token is required (Authorization: Bearer <token>)")
            }
            guard let token = BearerToken.parse(value), let found = tokens.grant(for: String(token)) else {
                throw ConnectError(.unauthenticated, "the bearer token is not valid")
            }
            grant = found
        }
        let tenant: String
        if multiTenant {
            let values = Self.values(of: tenantHeader, in: headers)
            guard let value = values.first, !value.isEmpty else {
                throw ConnectError(.invalidArgument, "header \(tenantHeader): required")
            }
            guard values.count == 1 else { throw ConnectError(.invalidArgument, "header \(tenantHeader): given more than once") }
            guard value.utf8.count <= Self.maxTenantBytes else {
                throw ConnectError(.invalidArgument, "header \(tenantHeader): longer than \(Self.maxTenantBytes) bytes")
            }
            guard value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw ConnectError(.invalidArgument, "header \(tenantHeader): contains control characters")
            }
            tenant = value
        } else {
            tenant = defaultTenant
        }
        if let grant, !grant.allows(tenant) {
            throw ConnectError(.permissionDenied, "the token may not read this tenant")
        }
        return tenant
    }
}

extension AccessPolicy {
    /// Every value of a header (names compare case-insensitively).
    static func values(of name: String, in headers: HTTPFields) -> [String] {
        headers.filter { $0.name.canonicalName == name }.map(\.value)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
