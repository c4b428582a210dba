import Columnstore
import Foundation
import Hummingbird

/// The mutating admin endpoints. Every one needs `Authorization: Bearer <PROJECTION_ADMIN_TOKEN>`; with no
/// token configured they answer 403, so an operator cannot expose them by accident.
struct AdminRoutes: Sendable {
    let admin: any IngestAdministration
    let token: String?

    static let maxLimit = 1000
    /// `PROJECTION_PARTITION`'s range.
    static let maxPartition = 1023

    func register(on router: Router<BasicRequestContext>) {
        router.post("admin/pause") { request, _ in
            try authorizeChange(request)
            let idle = await admin.pause()
            return try encoded(PauseAnswer(paused: true, idle: idle))
        }
        router.post("admin/reload") { request, _ in
            try authorizeChange(request)
            do {
                try await admin.reload()
            } catch let error as AdminError {
                throw error.httpError
            }
            return try encoded(ReloadAnswer(reloaded: true))
        }
        router.post("admin/resume") { request, _ in
            try authorizeChange(request)
            await admin.resume()
            return try encoded(PauseAnswer(paused: false))
        }
        router.get("admin/quarantine") { request, _ in
            try authorize(request)
            let query = request.uri.queryParameters
            let tenant = query.get("tenant")
            let after = try Self.unsigned(query.get("after_sequence"), field: "after_sequence", default: 0)
            let limit = try Self.unsigned(query.get("limit"), field: "limit", default: 100, min: 1, max: UInt64(Self.maxLimit))
            // Without `partition`, this ingest's own: sequences are only unique within a partition's stream.
            let partition = try query.get("partition").map { try Int(Self.unsigned($0, field: "partition", default: 0, max: UInt64(Self.maxPartition))) }
            let consumer = try query.get("consumer").map { try Self.consumer($0) }
            let facts = try await admin.quarantined(partition: partition, consumer: consumer, tenant: tenant, afterSequence: after, limit: Int(limit))
            // A full page (`limit` entries, or the raw bytes' budget reached) ends with every entry of its last
            // sequence, so it may hold a few more than `limit`.
            let next = QuarantinePageBudget.isFull(facts, limit: Int(limit)) ? facts.last?.sequence : nil
            return try encoded(QuarantinePage(facts: facts.map(QuarantinePage.Fact.init), nextAfterSequence: next))
        }
        router.post("admin/quarantine/redrive") { request, context in
            try authorizeChange(request)
            let buffer = try await request.body.collect(upTo: 1 << 20)
            // The strict parser: a bool is not a number (`[true]` was sequence 1), duplicates are refused.
            var object: [String: JSONValue] = [:]
            if buffer.readableBytes > 0 {
                guard case .object(let members)? = try? JSONParser.parse(Array(buffer.readableBytesView)) else {
                    throw HTTPError(.badRequest, message: "body: expected a JSON object like {\"sequences\":[12,40]} or {\"tenant\":\"t1\",\"limit\":100}")
                }
                for (key, value) in members { object[key] = value }
            }
            for key in object.keys where !["sequences", "tenant", "limit", "partition", "consumer"].contains(key) {
                throw HTTPError(.badRequest, message: "\(Self.printable(key)): unknown field (expected sequences, tenant, limit, partition or consumer)")
            }
            func integer(_ value: JSONValue?, in range: ClosedRange<UInt64>) -> UInt64? {
                guard case .number(let literal)? = value, let number = UInt64(literal), range.contains(number) else { return nil }
                return number
            }
            var sequences: [UInt64]?
            if let raw = object["sequences"] {
                guard case .array(let list) = raw, !list.isEmpty, list.count <= Self.maxLimit else {
                    throw HTTPError(.badRequest, message: "sequences: expected 1 to \(Self.maxLimit) positive integers")
                }
                let parsed = list.compactMap { integer($0, in: 1...UInt64(Int64.max)) }
                guard parsed.count == list.count else {
                    throw HTTPError(.badRequest, message: "sequences: expected 1 to \(Self.maxLimit) positive integers")
                }
                sequences = parsed
            }
            var tenant: String?
            if let raw = object["tenant"] {
                guard case .string(let value) = raw else { throw HTTPError(.badRequest, message: "tenant: expected a string") }
                tenant = value
            }
            var limit = 100
            if let raw = object["limit"] {
                guard let value = integer(raw, in: 1...UInt64(Self.maxLimit)) else {
                    throw HTTPError(.badRequest, message: "limit: expected an integer from 1 to \(Self.maxLimit)")
                }
                limit = Int(value)
            }
            var partition: Int?
            if let raw = object["partition"] {
                guard let value = integer(raw, in: 0...UInt64(Self.maxPartition)) else {
                    throw HTTPError(.badRequest, message: "partition: expected an integer from 0 to \(Self.maxPartition)")
                }
                partition = Int(value)
            }
            var consumer: String?
            if let raw = object["consumer"] {
                guard case .string(let value) = raw else { throw HTTPError(.badRequest, message: "consumer: expected a durable name") }
                consumer = try Self.consumer(value)
            }
            if sequences == nil, tenant == nil, object["limit"] == nil {
                throw HTTPError(.badRequest, message: "sequences: name the facts to re-drive, or give tenant and/or limit")
            }
            do {
                let redriven = try await admin.redrive(partition: partition, consumer: consumer, sequences: sequences, tenant: tenant, limit: limit)
                return try encoded(["redriven": redriven])
            } catch let error as AdminError {
                throw error.httpError
            }
        }
    }

    /// A client's text as an error may quote it: control characters dropped, at most 64 scalars, quoted,
    /// as the query API's errors do (`RequestDecoder.printable`); a key can be up to the 1 MiB body long.
    static func printable(_ key: String) -> String {
        let cleaned = String(String.UnicodeScalarView(key.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(64)))
        return "'\(cleaned)'"
    }

    private func authorize(_ request: Request) throws {
        try AdminToken(token).authorize(request)
    }

    private func authorizeChange(_ request: Request) throws {
        try AdminToken(token).authorizeChange(request)
    }

    /// A request's `consumer`: a durable name (letters, digits, - and _, as ingest's `PROJECTION_DURABLE`), or
    /// empty for the entries recorded before entries named their durable.
    static func consumer(_ text: String) throws -> String {
        guard text.utf8.count <= 255, text.isEmpty || ConsumerID.isDurableName(text) else {
            throw HTTPError(.badRequest, message: "consumer: expected a durable name (letters, digits, - and _, at most 255)")
        }
        return text
    }

    static func unsigned(_ text: String?, field: String, default fallback: UInt64, min: UInt64 = 0, max: UInt64 = .max) throws -> UInt64 {
        guard let text else { return fallback }
        guard let value = UInt64(text), value >= min, value <= max else {
            throw HTTPError(.badRequest, message: "\(field): expected an integer\(max == .max ? "" : " from \(min) to \(max)")")
        }
        return value
    }

    /// A 200 answer with `answer` as JSON; the console's routes answer the same way.
    static func encoded(_ answer: some Encodable) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encode(answer))))
    }

    private func encoded(_ answer: some Encodable) throws -> Response {
        try Self.encoded(answer)
    }
}
