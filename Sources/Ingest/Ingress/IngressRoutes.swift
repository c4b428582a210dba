import Columnstore
import Foundation
import HTTPGuards
import HTTPTypes
import Hummingbird
import JetStream
import Logging
import NIOCore

/// `POST /events`: the HTTP push ingress (docs/INGRESS.md). 200 only once every event of the request
/// is in the stream (PubAck), with its sequence; with `?wait=<ms>`, once the checkpoint has passed it.
struct IngressRoutes: Sendable {
    let settings: IngressSettings
    let link: IngressLink
    let status: any IngestStatusReporting
    let logger: Logger
    let metrics: IngressMetrics
    let bodyDeadlines: BodyDeadlines
    let budget: IngressBudget
    let waiters: IngressWaiters

    init(settings: IngressSettings, link: IngressLink, status: any IngestStatusReporting, logger: Logger, metrics: IngressMetrics) {
        self.settings = settings
        self.link = link
        self.status = status
        self.logger = logger
        self.metrics = metrics
        self.bodyDeadlines = BodyDeadlines(timeout: settings.bodyTimeout)
        self.budget = IngressBudget(
            capacity: settings.maxInflightBytes,
            perProducer: IngressBudget.perProducer(capacity: settings.maxInflightBytes, maxBodyBytes: settings.maxBodyBytes),
            observe: { [metrics] in metrics.inflight($0) })
        self.waiters = IngressWaiters(capacity: settings.maxWaiters, metrics: metrics)
    }

    static let path = "events"

    func register(on router: Router<BasicRequestContext>) {
        router.post(RouterPath(stringLiteral: Self.path)) { request, _ in
            // The request's body bytes, taken from the in-flight budget; given back on every path.
            let share = budget.share()
            defer { share.release() }
            do {
                let response = try await handle(request, share: share)
                metrics.request(response.status == .ok ? "ok" : "accepted")
                return response
            } catch let error as IngressError {
                if share.refused { metrics.overBudget() }
                metrics.request(error.code.description)
                return Self.refusal(error, retryAfter: settings.retryAfterSeconds)
            }
        }
    }

    private func handle(_ request: Request, share: IngressBudget.Share) async throws -> Response {
        let grant = try settings.tokens.authorize(request.headers[.authorization])
        share.assign(to: grant)
        let wait = try Self.waitOption(request.uri.queryParameters.get("wait"), max: settings.maxWait)
        let body = try await Self.body(of: request, limit: settings.maxBodyBytes, deadlines: bodyDeadlines, share: share)
        var ceHeaders: [(name: String, value: String)] = []
        for field in request.headers where field.name.canonicalName.hasPrefix("ce-") {
            ceHeaders.append((field.name.canonicalName, field.value))
        }
        let parsed = try IngressRequestParser(maxBatchEvents: settings.maxBatchEvents)
            .parse(contentType: request.headers[.contentType], ceHeaders: ceHeaders, body: body)
        let messages = try IngressBinding(subjects: settings.subjects, maxFactBytes: settings.maxFactBytes)
            .messages(for: parsed.events, grant: grant, batch: parsed.mode == .batch)
        let acks = try await publish(messages)
        metrics.stored(events: acks.count, duplicates: acks.count { $0.duplicate })
        // Published: the body is done with, so a `?wait=` holds none of the budget.
        share.release()
        var answer: [(key: String, value: JSONValue)] = [("stream", .string(acks.first?.stream ?? settings.stream))]
        if parsed.mode == .batch {
            answer.append(("sequences", .array(acks.map { .number(String($0.sequence)) })))
            answer.append(("duplicates", .number(String(acks.count { $0.duplicate }))))
        } else if let ack = acks.first {
            answer.append(("sequence", .number(String(ack.sequence))))
            answer.append(("duplicate", .bool(ack.duplicate)))
        }
        var status: HTTPResponse.Status = .ok
        var headers: HTTPFields = [.contentType: "application/json"]
        if let wait, let highest = acks.map(\.sequence).max() {
            let visible = await waitVisible(highest, timeout: wait, request: request)
            answer.append(("visible", .bool(visible)))
            // Stored but not yet applied: 202, so a producer does not mistake it for read-your-writes.
            if !visible { status = .accepted }
            // The wait watched the connection for its close, which ends its keep-alive.
            headers[.connection] = "close"
        }
        return Response(status: status, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: JSONWriter.write(.object(answer)) + "\n")))
    }

    /// `?wait=`: whether the checkpoint passed `sequence` in time. At most `PROJECTION_INGRESS_MAX_WAITERS`
    /// wait at once (past that: false at once, so 202); a wait stops as soon as its client closes the
    /// connection (false: the answer goes nowhere).
    private func waitVisible(_ sequence: UInt64, timeout: Duration, request: Request) async -> Bool {
        guard waiters.enter() else {
            metrics.waitEnded("over_capacity")
            return false
        }
        defer { waiters.leave() }
        let checkpoint = CheckpointWait(status: self.status)
        // The body was read whole already. Replaced by a buffer (which keeps the connection's own body
        // underneath), `consumeWithCancellationOnInboundClose` goes past it to the connection's inbound side
        // and cancels the wait when that closes. (On the consumed original body it would leave its own
        // stream unfinished, a NIO fatal error.)
        var request = request
        request.body = RequestBody(buffer: ByteBuffer())
        do {
            let visible = try await request.body.consumeWithCancellationOnInboundClose { _ in
                let visible = await checkpoint.until(sequence, timeout: timeout)
                try Task.checkCancellation()
                return visible
            }
            metrics.waitEnded(visible ? "visible" : "timeout")
            return visible
        } catch {
            metrics.waitEnded("client_gone")
            return false
        }
    }

    /// Publishes and returns every ack, or throws `.unavailable` if any event is not known to be stored.
    private func publish(_ messages: [OutboundMessage]) async throws(IngressError) -> [PubAck] {
        guard !messages.isEmpty else { return [] }
        let js = try await link.jetStream(messages: messages.count)
        // An event the server cannot take whole would fail every retry: 413 before anything is sent, not a
        // 503 (the NATS headers count against max_payload too, so the fact limit alone does not settle it).
        let maxPayload = js.connection.maxPayload
        if maxPayload > 0, let index = messages.firstIndex(where: { $0.wireBytes > maxPayload }) {
            throw IngressError(.tooLarge, attribute: "data", """
                \(messages.count > 1 ? "event \(index): " : "")the event takes \(messages[index].wireBytes) bytes with its NATS headers; \
                the NATS server takes at most \(maxPayload) per message (max_payload)
                """)
        }
        let outcomes = await js.publishTracked(messages, timeout: settings.publishTimeout)
        var acks: [PubAck] = []
        acks.reserveCapacity(outcomes.count)
        for outcome in outcomes {
            switch outcome {
            case .success(let ack)?:
                acks.append(ack)
            case .failure(let error)? where error.jetStreamErrorCode == Self.messageTooLarge:
                // The stream's own max_msg_size: as permanent as max_payload, so 413 (no event of this
                // request is acknowledged; a corrected resend is deduplicated by message id).
                throw IngressError(.tooLarge, attribute: "data", "an event is larger than the stream accepts (its max_msg_size)")
            case .failure(let error)?:
                logger.warning("ingress publish failed", metadata: ["error": "\(error)", "events": "\(messages.count)"])
                throw IngressLink.unavailable("the stream did not store every event")
            case nil:
                logger.warning("ingress publish not acknowledged in time", metadata: ["events": "\(messages.count)"])
                throw IngressLink.unavailable("the stream did not acknowledge every event in time")
            }
        }
        return acks
    }

    /// JetStream's "message size exceeds maximum allowed" (a stream's max_msg_size).
    static let messageTooLarge = 10054

    /// `?wait=<milliseconds>` (0 to PROJECTION_INGRESS_MAX_WAIT_MS).
    static func waitOption(_ raw: String?, max: Duration) throws(IngressError) -> Duration? {
        guard let raw else { return nil }
        let maxMS = max.components.seconds * 1000 + max.components.attoseconds / 1_000_000_000_000_000
        guard let ms = Int64(raw), ms >= 0, ms <= maxMS else {
            throw IngressError(.invalidEvent, attribute: "wait", "must be milliseconds from 0 to \(maxMS)")
        }
        return .milliseconds(ms)
    }

    /// The body, bounded by bytes (413), by time (408) and by the in-flight budget (503): `share` takes
    /// `Content-Length` bytes before anything is read, or a chunked body's bytes as each chunk arrives.
    /// One child task reads it; the parent waits for it or for `deadlines`' coarse timer, whichever
    /// comes first (then the read is cancelled).
    static func body(of request: Request, limit: Int, deadlines: BodyDeadlines, share: IngressBudget.Share) async throws(IngressError) -> [UInt8] {
        let length = request.headers[.contentLength].flatMap(Int.init)
        if let length, length > limit {
            throw IngressError(.tooLarge, attribute: "body", "larger than \(limit) bytes (PROJECTION_INGRESS_MAX_BODY_BYTES)")
        }
        if let length, !share.take(length) {
            throw Self.overBudget
        }
        let body = request.body
        let read = deadlines.start()
        let outcome = await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    var bytes: [UInt8] = []
                    if let length { bytes.reserveCapacity(length) }
                    for try await chunk in body {
                        guard bytes.count + chunk.readableBytes <= limit else {
                            throw IngressError(.tooLarge, attribute: "body", "larger than \(limit) bytes (PROJECTION_INGRESS_MAX_BODY_BYTES)")
                        }
                        // Content-Length was taken whole; HTTP framing holds the body to it.
                        if length == nil, !share.take(chunk.readableBytes) { throw Self.overBudget }
                        bytes.append(contentsOf: chunk.readableBytesView)
                    }
                    read.finish(.success(bytes))
                } catch {
                    read.finish(.failure(error))
                }
            }
            defer { group.cancelAll() }
            return await read.outcome()
        }
        deadlines.finished(read)
        do {
            guard let outcome else {
                throw IngressError(.bodyTimeout, attribute: "body", "not received within PROJECTION_INGRESS_BODY_TIMEOUT_MS")
            }
            return try outcome.get()
        } catch let error as IngressError {
            throw error
        } catch is BodyReadTimedOut {
            // The connection's body deadline (HTTPGuards), when it ends the same instant as this one.
            throw IngressError(.bodyTimeout, attribute: "body", "not received within PROJECTION_INGRESS_BODY_TIMEOUT_MS")
        } catch is NIOTooManyBytesError {
            throw IngressError(.tooLarge, attribute: "body", "larger than \(limit) bytes (PROJECTION_INGRESS_MAX_BODY_BYTES)")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw IngressError(.tooLarge, attribute: "body", "larger than \(limit) bytes (PROJECTION_INGRESS_MAX_BODY_BYTES)")
        } catch {
            throw IngressError(.invalidEvent, attribute: "body", "could not be read")
        }
    }

    static let overBudget = IngressLink.unavailable("the ingress holds PROJECTION_INGRESS_MAX_INFLIGHT_BYTES of request bodies already")

    static func refusal(_ error: IngressError, retryAfter: Int) -> Response {
        var body: [(key: String, value: JSONValue)] = [("error", .string(error.code.description)), ("message", .string(error.description))]
        if let attribute = error.attribute { body.append(("attribute", .string(attribute))) }
        if let index = error.index { body.append(("index", .number(String(index)))) }
        var headers: HTTPFields = [.contentType: "application/json"]
        if error.code == .unavailable { headers[.retryAfter] = String(retryAfter) }
        if error.code == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: HTTPResponse.Status(code: error.code.httpStatus), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: JSONWriter.write(.object(body)) + "\n")))
    }
}
