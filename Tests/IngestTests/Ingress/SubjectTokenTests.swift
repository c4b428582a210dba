import Testing

@testable import Ingest

/// The subject-token checks run for every event of a batch; they work by UTF-8 byte and must agree
/// with the per-scalar rule (no whitespace or control characters, no DEL, no `*`, `>`, `{`, `}`).
@Suite("Ingress subject tokens")
struct SubjectTokenTests {
    @Test("fact types: dot-separated non-empty tokens", arguments: [
        ("orders.order_placed.v1", true), ("a", true), ("ünï.€", true), ("a.b-c_d:e", true),
        ("", false), (".", false), ("a.", false), (".a", false), ("a..b", false), ("a b", false), ("a\tb", false),
        ("a.*", false), ("a.>", false), ("{type}", false), ("a}", false), ("a\u{7F}", false), ("a\u{1}", false),
    ])
    func types(type: String, valid: Bool) {
        #expect(SubjectTemplate.isTypeTokens(type) == valid)
    }

    @Test("tenants: one token", arguments: [
        ("acme", true), ("ünï", true), ("a-b_c", true),
        ("", false), ("a.b", false), ("a b", false), ("*", false), (">", false), ("a{", false), ("\u{7F}", false),
    ])
    func tenants(tenant: String, valid: Bool) {
        #expect(SubjectTemplate.isTenantToken(tenant) == valid)
    }
}
