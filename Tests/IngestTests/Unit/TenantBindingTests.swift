import Testing
@testable import Ingest

/// `PROJECTION_TENANT_SUBJECT_TOKEN`: the subject names the tenant; a fact cannot name another.
@Suite("Tenant bound to the subject")
struct TenantBindingTests {
    @Test("a fact without tenantid takes the subject's token; the same tenant passes")
    func taken() throws {
        #expect(try TenantBinding(token: 2).tenant("", subject: "facts.t1.orders.placed") == "t1")
        #expect(try TenantBinding(token: 2).tenant("t1", subject: "facts.t1.orders.placed") == "t1")
    }

    @Test("another tenant, or a subject without the token, is quarantined naming tenantid")
    func refused() {
        // The decomposed form of the subject's composed tenant is another tenant (both stores compare bytes).
        for (tenant, subject) in [("t2", "facts.t1.orders"), ("", "facts"), ("t1", "facts..orders"), ("cafe\u{301}", "facts.caf\u{E9}.orders")] {
            #expect(throws: FactRejection.self, "\(tenant) on \(subject)") {
                try TenantBinding(token: 2).tenant(tenant, subject: subject)
            }
        }
    }
}
