import Columnstore
import Foundation
import HTTPGuards
import Hummingbird

/// The operator console on the ingest port: the page itself (`GET /console`), its status history
/// (`GET /admin/ingestion/history`) and the skip action with its audit trail. The page and the history
/// hold numbers only and need no token, like `/admin/ingestion`; the quarantine's contents (raw facts)
/// and every action need the admin token, which the page sends as a bearer token.
struct ConsoleRoutes: Sendable {
    let history: IngestionHistory
    let skipping: (any QuarantineSkipping)?
    let token: String?

    func register(on router: Router<BasicRequestContext>) {
        router.get("console") { _, _ in SelfContainedPage.response(ConsolePage.html) }
        router.get("admin/ingestion/history") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(data: try history.json())))
        }
        guard let skipping else { return }
        router.post("admin/quarantine/skip") { request, _ in
            try AdminToken(token).authorizeChange(request)
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = try Self.skipRequest(Array(buffer.readableBytesView))
            do {
                let skipped = try await skipping.skip(partition: body.partition, consumer: body.consumer, sequences: body.sequences, note: body.note)
                return try AdminRoutes.encoded(["skipped": skipped])
            } catch let error as AdminError {
                throw error.httpError
            }
        }
        router.get("admin/quarantine/skipped") { request, _ in
            try AdminToken(token).authorize(request)
            let limit = try AdminRoutes.unsigned(request.uri.queryParameters.get("limit"), field: "limit", default: 100, min: 1, max: UInt64(AdminRoutes.maxLimit))
            let records = try await skipping.skippedFacts(limit: Int(limit))
            return try AdminRoutes.encoded(["skipped": records])
        }
    }

    struct SkipRequest: Equatable {
        var sequences: [UInt64]
        var partition: Int?
        var note: String
        var consumer: String?
    }

    /// `{"sequences":[12,40],"partition":0,"note":"why"}`: sequences and a note are required, so every
    /// audit record says why.
    static func skipRequest(_ bytes: [UInt8]) throws -> SkipRequest {
        guard case .object(let members)? = try? JSONParser.parse(bytes) else {
            throw HTTPError(.badRequest, message: "body: expected a JSON object like {\"sequences\":[12],\"note\":\"why\"}")
        }
        var object: [String: JSONValue] = [:]
        for (key, value) in members { object[key] = value }
        for key in object.keys where !["sequences", "partition", "note", "consumer"].contains(key) {
            throw HTTPError(.badRequest, message: "\(AdminRoutes.printable(key)): unknown field (expected sequences, partition, consumer or note)")
        }
        guard case .array(let list)? = object["sequences"], !list.isEmpty, list.count <= AdminRoutes.maxLimit else {
            throw HTTPError(.badRequest, message: "sequences: expected 1 to \(AdminRoutes.maxLimit) positive integers")
        }
        let sequences = list.compactMap { value -> UInt64? in
            guard case .number(let literal) = value, let number = UInt64(literal), number >= 1, number <= UInt64(Int64.max) else { return nil }
            return number
        }
        guard sequences.count == list.count else {
            throw HTTPError(.badRequest, message: "sequences: expected 1 to \(AdminRoutes.maxLimit) positive integers")
        }
        var partition: Int?
        if let raw = object["partition"] {
            guard case .number(let literal) = raw, let value = Int(literal), (0...AdminRoutes.maxPartition).contains(value) else {
                throw HTTPError(.badRequest, message: "partition: expected an integer from 0 to \(AdminRoutes.maxPartition)")
            }
            partition = value
        }
        guard case .string(let note)? = object["note"], !note.trimmingCharacters(in: .whitespaces).isEmpty, note.utf8.count <= 1000 else {
            throw HTTPError(.badRequest, message: "note: say why the facts are skipped (1 to 1000 bytes); it is kept in the audit record")
        }
        var consumer: String?
        if let raw = object["consumer"] {
            guard case .string(let value) = raw else { throw HTTPError(.badRequest, message: "consumer: expected a durable name") }
            consumer = try AdminRoutes.consumer(value)
        }
        return SkipRequest(sequences: sequences, partition: partition, note: note, consumer: consumer)
    }
}
