import JetStream

/// Binds validated events to a producer's grant: the tenant (the grant's, never one it lacks), the
/// fact type, the subject and the stream message. Pure: no I/O.
struct IngressBinding: Sendable {
    var subjects: SubjectTemplate
    var maxFactBytes: Int

    func messages(for events: [IngressEvent], grant: ProducerGrant, batch: Bool) throws(IngressError) -> [OutboundMessage] {
        var messages: [OutboundMessage] = []
        messages.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            do throws(IngressError) {
                messages.append(try message(for: event, grant: grant))
            } catch {
                throw error.at(batch ? index : nil)
            }
        }
        return messages
    }

    func message(for event: IngressEvent, grant: ProducerGrant) throws(IngressError) -> OutboundMessage {
        let tenant: String
        if let claimed = event.claimedTenant {
            guard grant.allows(tenant: claimed) else {
                throw IngressError(.forbidden, attribute: "tenantid", "this producer token may not send for that tenant")
            }
            tenant = claimed
        } else if grant.tenants.count == 1, let only = grant.tenants.first {
            tenant = only
        } else {
            throw IngressError(.invalidEvent, attribute: "tenantid", "is required: this producer token sends for several tenants")
        }
        guard grant.allows(type: event.type) else {
            throw IngressError(.forbidden, attribute: "type", "this producer token may not send that fact type")
        }
        let body = event.structuredJSON(tenant: tenant)
        guard body.count <= maxFactBytes else {
            throw IngressError(.tooLarge, attribute: "data", "the event is \(body.count) bytes; the limit is \(maxFactBytes) (PROJECTION_MAX_FACT_BYTES)")
        }
        return OutboundMessage(subject: subjects.subject(tenant: tenant, type: event.type), data: body,
                               headers: ["Content-Type": IngressRequestParser.structuredType], messageID: event.messageID(tenant: tenant))
    }
}
