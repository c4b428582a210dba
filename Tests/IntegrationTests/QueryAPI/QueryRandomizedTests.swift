import Columnstore
import Foundation
import HTTPTypes
@testable import QueryAPI
import Testing

/// Thousands of malformed or hostile requests: only 4xx Connect errors come back, no row of any
/// tenant leaks into an answer, and the server still answers correctly afterwards.
@Suite("Query API randomized hostile input", .serialized)
struct QueryRandomizedTests {
    static let requestsPerStore = 2000

    @Test("hostile requests get only 4xx and leak nothing", arguments: [StoreKind.clickhouse, .postgres])
    func hostileRequests(store: StoreKind) async throws {
        try await QueryAPITestServer.withFixture(store) { fixture in
            try await QueryAPITestServer.with(fixture, configure: { $0.maxBodyBytes = 16_384 }) { api in
                var generator = HostileRequestGenerator(seed: store == .clickhouse ? 0xC1C1 : 0x9090)
                var statuses: [Int: Int] = [:]
                for _ in 0..<Self.requestsPerStore {
                    let request = generator.next()
                    let answer = try await api.raw(
                        uri: request.uri, tenant: request.tenant, body: request.body, httpMethod: request.method, headers: request.headers)
                    statuses[answer.status, default: 0] += 1
                    #expect((400..<500).contains(answer.status), "\(request.summary) → \(answer.status) \(answer.text.prefix(200))")
                    // Every answer is a bare Connect error: no rows, no order, nothing but code and message.
                    guard case .object(let members)? = answer.json else {
                        Issue.record("not JSON: \(request.summary) → \(answer.text.prefix(200))")
                        continue
                    }
                    #expect(members.map(\.key) == ["code", "message"], "\(request.summary) → \(answer.text.prefix(200))")
                    for secret in ["99999", "70000", "3500", "c9", "grossCents", "customerId"] {
                        #expect(!answer.text.contains(secret), "\(request.summary) leaked \(secret)")
                    }
                }
                #expect(statuses.values.reduce(0, +) == Self.requestsPerStore)
                // Several kinds of rejection were exercised, not just one.
                #expect(statuses.keys.count >= 3, "\(statuses)")

                let health = try await api.raw(uri: "/healthz", tenant: nil, body: nil, httpMethod: .get)
                #expect(health.status == 200)
                let ready = try await api.raw(uri: "/readyz", tenant: nil, body: nil, httpMethod: .get)
                #expect(ready.status == 200)
                let good = try await api.call("GetTopCustomers", tenant: "globex", body: #"{"fromDay":"2026-11-01","toDay":"2026-11-01"}"#)
                #expect(good.text == #"{"rows":[{"customerId":"c9","orderCount":"1","grossCents":"99999"}]}"#)
            }
        }
    }
}

/// A reproducible stream of requests, each with at least one defect that makes it a client error.
struct HostileRequestGenerator {
    struct Request {
        var uri: String
        var method: HTTPRequest.Method
        var tenant: String?
        var headers: [(String, String)]
        var body: String?
        var summary: String { "\(method) \(uri) tenant=\(tenant.map { String($0.prefix(40)) } ?? "nil") body=\(body.map { String($0.prefix(120)) } ?? "nil")" }
    }

    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64: deterministic, so a failure reproduces.
    private mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int(random() % UInt64(items.count))] }
    private mutating func chance(_ percent: UInt64) -> Bool { random() % 100 < percent }

    static let methods = ["GetDailySales", "GetTopCustomers", "GetOrder"]
    static let hostileStrings = [
        "' OR 1=1 --", "'; DROP TABLE orders; --", "\\'", "\\", "{tenant_id:String}", "$1", "%' --", "\" OR \"\"=\"",
        "1; SELECT * FROM daily_sales", "' UNION SELECT tenant_id, order_id FROM orders --", "globex", "acme", "*", "%",
        "\u{202E}acme", "a\u{0}b", String(repeating: "A", count: 5000), "😀", "NULL", "null", "\n", "\t", "\\N",
    ]
    static let badDates = [
        "2026-02-30", "2026-13-01", "0000-00-00", "2026-1-1", "2026-11-01T00:00:00Z", "２０２６-11-01", "1969-12-31",
        "2149-06-07", "9999-12-31", "", " 2026-11-01", "2026-11-01 ", "20261101", "2026/11/01", "-2026-11-01", "2026-11-01'--",
    ]
    static let badNumbers = ["-1", "0", "1001", "1e999999", "-9223372036854775809", "18446744073709551616", "1.5", "NaN", "Infinity",
                             "0x10", "1e3", "4294967296", "99999999999999999999999999999999999999", "-0.5", "1_000"]
    static let keyAlphabet = Array("abcdefghijklmnopqrstuvxyz_ABCXYZ")

    mutating func randomKey() -> String {
        if chance(50) { return pick(["fromDay", "from_day", "toDay", "to_day", "limit", "orderId", "order_id", "tenant_id", "tenantId", "rows", "__proto__", ""]) }
        return String((0..<(1 + Int(random() % 8))).map { _ in pick(Self.keyAlphabet) })
    }

    mutating func randomJSON(depth: Int) -> String {
        switch random() % (depth > 3 ? 5 : 7) {
        case 0: return "null"
        case 1: return pick(["true", "false"])
        case 2: return pick(Self.badNumbers + ["12", "-7", "3.25e2"])
        case 3: return JSONWriter.write(.string(pick(Self.hostileStrings + Self.badDates)))
        case 4: return JSONWriter.write(.string(String(decoding: (0..<Int(random() % 12)).map { _ in UInt8(32 + random() % 95) }, as: UTF8.self)))
        case 5: return "[" + (0..<Int(random() % 4)).map { _ in randomJSON(depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            var keys = Set<String>()
            let members = (0..<Int(random() % 4)).compactMap { _ -> String? in
                let key = randomKey()
                guard keys.insert(key).inserted else { return nil }
                return JSONWriter.write(.string(key)) + ":" + randomJSON(depth: depth + 1)
            }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    /// A well-formed body for `method`, before a defect is applied.
    mutating func validFields(_ method: String) -> [(String, String)] {
        switch method {
        case "GetOrder": return [("orderId", "\"o1\"")]
        case "GetTopCustomers": return [("fromDay", "\"2026-11-01\""), ("toDay", "\"2026-11-30\""), ("limit", "5")]
        default: return [("fromDay", "\"2026-11-01\""), ("toDay", "\"2026-11-30\"")]
        }
    }

    mutating func next() -> Request {
        let method = pick(Self.methods)
        var request = Request(uri: "\(QueryAPITestServer.servicePath)/\(method)", method: .post, tenant: "acme", headers: [], body: nil)
        var fields = validFields(method)
        func render(_ fields: [(String, String)]) -> String {
            "{" + fields.map { JSONWriter.write(.string($0.0)) + ":" + $0.1 }.joined(separator: ",") + "}"
        }
        // Sometimes the (valid, but hostile-looking or foreign) tenant is the attacker's too.
        if chance(30) { request.tenant = pick(["' OR 1=1 --", "acme' --", "ACME", "%", "*", "x\\", "globex"]) }
        switch random() % 12 {
        case 0: // garbage body
            request.body = String(decoding: (0..<Int(random() % 200)).map { _ in UInt8(truncatingIfNeeded: random()) }, as: UTF8.self)
            if request.body!.isEmpty || (try? JSONParser.parse(request.body!)) != nil { request.body = "{" }
        case 1: // random JSON that is not an object, or an object with a random unknown key
            let value = randomJSON(depth: 0)
            if value.hasPrefix("{") {
                fields.append(("zz" + String((0..<4).map { _ in pick(Self.keyAlphabet) }), value))
                request.body = render(fields)
            } else {
                request.body = value
            }
        case 2: // a required field missing
            fields.removeFirst()
            request.body = render(fields)
        case 3: // wrong type for a field
            let index = Int(random() % UInt64(fields.count))
            fields[index].1 = pick(["[]", "{}", "true", "12345", "[\"2026-11-01\"]"])
            if fields[index].0 == "limit" { fields[index].1 = pick(["[]", "{}", "true", "\"abc\""]) }
            request.body = render(fields)
        case 4: // bad date, or from after to
            if method == "GetOrder" {
                fields[0].1 = JSONWriter.write(.string(pick(Self.hostileStrings)))
                request.body = render(fields) // unknown order: 404, or 400 for NUL/oversized
            } else if chance(50) {
                fields[Int(random() % 2)].1 = JSONWriter.write(.string(pick(Self.badDates)))
                request.body = render(fields)
            } else {
                fields[0].1 = "\"2026-12-01\""
                request.body = render(fields)
            }
        case 5: // bad limit
            if method == "GetTopCustomers" {
                fields[2].1 = pick(Self.badNumbers.filter { !["1e3"].contains($0) }.map { chance(50) ? $0 : "\"\($0)\"" })
                if ["\"1e3\""].contains(fields[2].1) { fields[2].1 = "-1" }
            } else {
                fields.append(("limit", "5")) // limit is unknown to these RPCs
            }
            request.body = render(fields)
        case 6: // missing, empty, oversized or repeated tenant header (HTTP itself strips control characters)
            switch random() % 4 {
            case 0: request.tenant = nil
            case 1: request.tenant = ""
            case 2: request.tenant = String(repeating: "t", count: 257 + Int(random() % 2000))
            default: request.headers.append(("x-tenant-id", pick(["globex", "acme", "*"])))
            }
            request.body = render(fields)
        case 7: // unknown method or service
            request.uri = pick([
                "\(QueryAPITestServer.servicePath)/\(pick(Self.hostileStrings.filter { !$0.contains("\n") && !$0.contains("\t") && !$0.contains("\u{0}") }).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x")",
                "/orders.analytics.v1.Other/\(method)", "/\(method)", "\(QueryAPITestServer.servicePath)/\(method)/x", "/../etc/passwd",
            ])
            request.body = render(fields)
        case 8: // GET with a hostile query string
            request.method = .get
            let items = fields.map { ($0.0, $0.1.trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }
            var query = items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            switch random() % 4 {
            case 0: query.append("\(items[0].0)=\(items[0].1)") // duplicate
            case 1: query.append("tenant_id=globex")
            case 2: query.append("from_day=%E0%A4%A") // broken escape
            default: query = query.dropLast().map { $0 } + ["message=%7Bbroken"]
            }
            request.uri += "?" + query.joined(separator: "&")
        case 9: // oversized body
            request.body = render(fields + [("orderId", JSONWriter.write(.string(String(repeating: "x", count: 20_000))))])
        case 10: // deep nesting
            let depth = 65 + Int(random() % 2000)
            request.body = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        default: // the same field twice under both names
            let (name, value) = fields[0]
            let other = name == "orderId" ? "order_id" : name == "fromDay" ? "from_day" : "to_day"
            request.body = render(fields + [(other, value)])
        }
        return request
    }
}
