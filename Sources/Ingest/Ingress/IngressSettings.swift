import Columnstore
import Foundation

/// The HTTP push ingress (`PROJECTION_INGRESS=true`): producers POST CloudEvents to `/events` on
/// `PORT_HTTP`, and each event is published to the stream before the answer.
struct IngressSettings: Sendable {
    /// Bearer tokens and what each may send; required when the ingress is on.
    var tokens: ProducerTokens
    /// `PROJECTION_INGRESS_SUBJECT`.
    var subjects: SubjectTemplate
    /// `PROJECTION_INGRESS_MAX_BODY_BYTES` (1 MiB).
    var maxBodyBytes: Int
    /// `PROJECTION_INGRESS_MAX_BATCH` (1000).
    var maxBatchEvents: Int
    /// `PROJECTION_INGRESS_BODY_TIMEOUT_MS` (10000): the whole body must arrive within this.
    var bodyTimeout: Duration
    /// `PROJECTION_INGRESS_PUBLISH_TIMEOUT_MS` (5000): how long an event waits for its PubAck.
    var publishTimeout: Duration
    /// `PROJECTION_INGRESS_MAX_WAIT_MS` (30000): the longest `?wait=` honoured.
    var maxWait: Duration
    /// `PROJECTION_INGRESS_MAX_INFLIGHT_BYTES` (16 MiB): body bytes all requests hold at once (then 503).
    var maxInflightBytes: Int
    /// `PROJECTION_INGRESS_MAX_WAITERS` (64): requests in a `?wait=` at once (more answer 202 at once).
    var maxWaiters: Int
    /// `Retry-After` seconds on a 503 (1).
    var retryAfterSeconds: Int
    /// The stream and its NATS server (the ingest's own).
    var stream: String
    var natsURL: String
    /// `PROJECTION_MAX_FACT_BYTES`: a bigger event would be quarantined, so it is refused up front.
    var maxFactBytes: Int

    /// nil when `PROJECTION_INGRESS` is off (the default).
    static func from(_ settings: SettingsSource, configuration c: IngestConfiguration) throws -> IngressSettings? {
        typealias S = IngestSettings
        guard try settings.bool(S.ingress) else { return nil }
        guard c.partitions == nil else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_INGRESS", reason: "is not available with PROJECTION_PARTITIONS (replica mode)")
        }
        var tokens = ProducerTokens()
        if let inline = settings.string(S.ingressTokens) {
            tokens = try ProducerTokens.parse(inline, separator: ";", setting: "PROJECTION_INGRESS_TOKENS")
        }
        if let path = settings.string(S.ingressTokensFile) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(code: .unreadableFile, setting: "PROJECTION_INGRESS_TOKENS_FILE", reason: "no readable file at \(path)")
            }
            tokens = try tokens.merging(ProducerTokens.parse(text, separator: "\n", setting: "PROJECTION_INGRESS_TOKENS_FILE"), setting: "PROJECTION_INGRESS_TOKENS_FILE")
        }
        guard !tokens.isEmpty else {
            throw ConfigurationError(code: .missing, setting: "PROJECTION_INGRESS_TOKENS", reason: "the ingress needs producer tokens (PROJECTION_INGRESS_TOKENS or PROJECTION_INGRESS_TOKENS_FILE)")
        }
        let template = try SubjectTemplate(settings.string(S.ingressSubject)!)
        if let bound = c.tenantSubjectToken, template.tenantTokenPosition != bound {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_INGRESS_SUBJECT",
                                     reason: "must put {tenant} at token \(bound) (PROJECTION_TENANT_SUBJECT_TOKEN), after literal tokens only")
        }
        let sample = template.subject(tenant: "tenant", type: "type.v1")
        guard c.subjects.contains(where: { SubjectTemplate.matches(sample, filter: $0.replacingOccurrences(of: "{partition}", with: "0")) }) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_INGRESS_SUBJECT", reason: "its subjects are not among PROJECTION_SUBJECTS, so the ingest would never read them")
        }
        let maxBodyBytes = try settings.int(S.ingressMaxBodyBytes)!
        let maxInflightBytes = try settings.int(S.ingressMaxInflightBytes)!
        guard maxInflightBytes >= maxBodyBytes else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_INGRESS_MAX_INFLIGHT_BYTES",
                                     reason: "must be at least PROJECTION_INGRESS_MAX_BODY_BYTES (\(maxBodyBytes)), or a largest body would never be taken")
        }
        return IngressSettings(
            tokens: tokens, subjects: template,
            maxBodyBytes: maxBodyBytes,
            maxBatchEvents: try settings.int(S.ingressMaxBatch)!,
            bodyTimeout: try settings.milliseconds(S.ingressBodyTimeout)!,
            publishTimeout: try settings.milliseconds(S.ingressPublishTimeout)!,
            maxWait: try settings.milliseconds(S.ingressMaxWait)!,
            maxInflightBytes: maxInflightBytes,
            maxWaiters: try settings.int(S.ingressMaxWaiters)!,
            retryAfterSeconds: try settings.int(S.ingressRetryAfter)!,
            stream: c.stream, natsURL: c.natsURL, maxFactBytes: c.maxFactBytes)
    }
}
