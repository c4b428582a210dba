import Columnstore
import IngestTestKit
import HTTPTypes
@testable import QueryAPI
import Testing

@Suite("Query API configuration")
struct QueryConfigurationTests {
    @Test("defaults")
    func defaults() throws {
        let configuration = try QueryConfiguration(settings: SettingsSource(values: ["PROJECTION_STORE_DSN": "http://u:p@h:8123/db"]))
        #expect(configuration.storeKind == .clickhouse)
        #expect(configuration.httpPort == 8080)
        #expect(configuration.tenantHeader == "x-tenant-id")
        #expect(configuration.multiTenant)
        #expect(!configuration.tokens.isEnabled)
        #expect(configuration.sqlDirectory == "sql")
        #expect(configuration.maxBodyBytes == 65_536)
        #expect(configuration.limits.maxRows == 10_000)
    }

    @Test("invalid settings fail naming the setting, never echoing the DSN", arguments: [
        (["PROJECTION_STORE_KIND": "postgres_table"], "PROJECTION_STORE_DSN"),
        (["PROJECTION_STORE_DSN": "x", "PROJECTION_STORE_KIND": "mysql"], "PROJECTION_STORE_KIND"),
        (["PROJECTION_STORE_DSN": "x", "PORT_HTTP": "http"], "PORT_HTTP"),
        (["PROJECTION_STORE_DSN": "x", "PROJECTION_MAX_ROWS": "0"], "PROJECTION_MAX_ROWS"),
        (["PROJECTION_STORE_DSN": "x", "PROJECTION_TENANT_HEADER": "x tenant"], "PROJECTION_TENANT_HEADER"),
        (["PROJECTION_STORE_DSN": "x", "PROJECTION_TOKENS": "short=acme"], "PROJECTION_TOKENS"),
        (["PROJECTION_STORE_DSN": "x", "PROJECTION_TOKENS": "0123456789abcdef0123"], "PROJECTION_TOKENS"),
        // Given but naming no token: fails closed (before, the server started without authentication).
        (["PROJECTION_STORE_DSN": "x", "PROJECTION_TOKENS": ";"], "PROJECTION_TOKENS"),
        (["PROJECTION_STORE_DSN": "x", "PROJECTION_TOKENS": " ; # none"], "PROJECTION_TOKENS"),
        (["PROJECTION_STORE_DSN": "x", "PROJECTION_TOKENS_FILE": "/dev/null"], "PROJECTION_TOKENS_FILE"),
    ])
    func invalid(values: [String: String], setting: String) {
        #expect {
            _ = try QueryConfiguration(settings: SettingsSource(values: values))
        } throws: { error in
            (error as? ConfigurationError)?.setting == setting && !"\(error)".contains("0123456789abcdef")
        }
    }

    @Test("tokens map to tenants; * grants all")
    func tokens() throws {
        let table = try TokenTable.parse(
            "# comment\naaaaaaaaaaaaaaaa=acme, globex\nbbbbbbbbbbbbbbbb=*\n", separator: "\n", setting: "PROJECTION_TOKENS_FILE")
        #expect(table.grant(for: "aaaaaaaaaaaaaaaa")?.allows("globex") == true)
        #expect(table.grant(for: "aaaaaaaaaaaaaaaa")?.allows("other") == false)
        #expect(table.grant(for: "bbbbbbbbbbbbbbbb")?.allows("anyone") == true)
        #expect(table.grant(for: "cccccccccccccccc") == nil)
    }

    @Test("access: 401 before 400 before 403")
    func accessOrder() throws {
        let policy = AccessPolicy(configuration: QueryConfiguration(
            storeKind: .postgres, storeDSN: "x", tokens: TokenTable(["aaaaaaaaaaaaaaaa": .tenants(["acme"])])))
        #expect(throws: ConnectError.self) { try policy.tenant(for: [:]) }
        do { _ = try policy.tenant(for: [.authorization: "Bearer aaaaaaaaaaaaaaaa"]) } catch { #expect(error.code == .invalidArgument) }
        do { _ = try policy.tenant(for: [.authorization: "Bearer nope"]) } catch { #expect(error.code == .unauthenticated) }
        let open = AccessPolicy(configuration: QueryConfiguration(storeKind: .postgres, storeDSN: "x", multiTenant: false, defaultTenant: "solo"))
        #expect(try open.tenant(for: [:]) == "solo")
    }

    @Test("a grant matches the tenant's bytes: composed and decomposed forms are two tenants, as in both stores")
    func grantsByBytes() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        let policy = AccessPolicy(configuration: QueryConfiguration(
            storeKind: .postgres, storeDSN: "x", tokens: TokenTable(["aaaaaaaaaaaaaaaa": .tenants([composed])])))
        #expect(try policy.tenant(for: [.authorization: "Bearer aaaaaaaaaaaaaaaa", HTTPField.Name("x-tenant-id")!: composed]).hasSameBytes(as: composed))
        // Before: Swift's String equality let this grant read the other tenant.
        do {
            _ = try policy.tenant(for: [.authorization: "Bearer aaaaaaaaaaaaaaaa", HTTPField.Name("x-tenant-id")!: decomposed])
            Issue.record("the decomposed tenant was allowed")
        } catch {
            #expect(error.code == .permissionDenied)
        }
    }

    @Test("the concurrency limiter turns excess away instead of queueing")
    func limiter() {
        let limiter = ConcurrencyLimiter(limit: 2)
        #expect(limiter.tryAcquire(tenant: "a") == .admitted)
        #expect(limiter.tryAcquire(tenant: "a") == .admitted)
        #expect(limiter.tryAcquire(tenant: "b") == .full)
        limiter.release(tenant: "a")
        #expect(limiter.tryAcquire(tenant: "b") == .admitted)
    }

    /// Generated interleavings of acquires and releases over a few tenants: the limiter agrees with a
    /// reference count at every step, no tenant ever holds more than its share, and a tenant below its
    /// share is turned away only when every slot is taken.
    @Test("one tenant cannot take every slot: generated interleavings match a reference", arguments: 0..<20)
    func perTenantShare(seed: UInt64) {
        var random = SplitMix64(seed: 0x11A1 &+ seed)
        let limit = Int.random(in: 1...8, using: &random)
        let share = Int.random(in: 1...limit, using: &random)
        let limiter = ConcurrencyLimiter(limit: limit, perTenant: share)
        var held: [String: Int] = [:]
        for _ in 0..<2_000 {
            let tenant = ["a", "b", "c", "d"].randomElement(using: &random)!
            if Bool.random(using: &random) || held[tenant, default: 0] == 0 {
                let total = held.values.reduce(0, +)
                let expected: ConcurrencyLimiter.Admission =
                    total >= limit ? .full : held[tenant, default: 0] >= share ? .tenantFull : .admitted
                #expect(limiter.tryAcquire(tenant: tenant) == expected)
                if expected == .admitted { held[tenant, default: 0] += 1 }
            } else {
                limiter.release(tenant: tenant)
                held[tenant]! -= 1
            }
            #expect(limiter.current == held.values.reduce(0, +))
        }
    }
}
