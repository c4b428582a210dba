import Columnstore
import IngestFacts

/// `PROJECTION_TENANT_SUBJECT_TOKEN`: the subject's N-th token (1-based) names a fact's tenant. NATS
/// permissions can confine a producer to its tenant's subjects; the payload's `tenantid` then cannot
/// reach past them.
struct TenantBinding: Sendable {
    var token: Int

    /// The fact's tenant: the subject's token, which the fact's own `tenantid` (when it has one) repeats.
    func tenant(_ claimed: String, subject: String) throws(FactRejection) -> String {
        let tokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        guard token <= tokens.count, !tokens[token - 1].isEmpty else {
            throw FactRejection(code: .invalidEnvelope, field: "tenantid", detail: "the subject has no token \(token) to name the tenant")
        }
        let bound = String(tokens[token - 1])
        guard claimed.isEmpty || claimed.hasSameBytes(as: bound) else {
            throw FactRejection(code: .invalidEnvelope, field: "tenantid", detail: "differs from the tenant of the subject (token \(token))")
        }
        return bound
    }
}
