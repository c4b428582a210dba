import Columnstore
import Foundation
import HTTPGuards
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves the RPCs: admission, access, request decoding, the store query, response encoding.
/// Every failure is a thrown `ConnectError`, rendered by `ConnectMiddleware`.
struct QueryHandler: Sendable {
    let catalog: QueryCatalog
    let executor: any QueryExecutor
    let access: AccessPolicy
    let maxBodyBytes: Int
    /// The whole body must arrive within this; a slow sender never holds a concurrency slot.
    let bodyReadTimeout: Duration
    let limiter: ConcurrencyLimiter

    func handle(_ method: QueryMethodSchema, request: Request) async throws -> Response {
        let arrival = ContinuousClock.now
        // Access and the body come first: only a complete, admitted request may take a slot.
        let tenant = try access.tenant(for: request.headers)
        let (options, parameters) = try await decode(method, request: request)
        // The client's deadline counts from the request's arrival (the body read is part of it).
        let deadline = options.timeout.map { ClientDeadline(arrival: arrival, timeout: $0) }
        if let deadline, deadline.hasPassed { throw deadline.exceeded }
        switch limiter.tryAcquire(tenant: tenant) {
        case .admitted: break
        case .full: throw ConnectError(.resourceExhausted, "too many concurrent requests; retry later")
        case .tenantFull: throw ConnectError(.resourceExhausted, "too many concurrent requests for this tenant; retry later")
        }
        // The slot is held while the store query runs (the executor ends it by the client's deadline) and,
        // for a large answer, until its body is written (`response`); any other way out gives it back when the
        // slot is freed, at the end of this call.
        let slot = ConcurrencySlot(limiter: limiter, tenant: tenant)
        defer { withExtendedLifetime(slot) {} }
        guard let query = catalog.queries[method.name] else {
            throw ConnectError(.internal, "the method has no query", detail: "no prepared query for \(method.name)")
        }
        let result: QueryResult
        do {
            result = try await executor.execute(query, tenant: tenant, parameters: parameters, deadline: deadline?.instant)
        } catch let error as QueryError {
            let answer = ConnectError(error)
            throw deadline?.judge(answer) ?? answer
        }
        return try Self.response(result, method: method, options: options, slot: slot)
    }

    /// The request's Connect options and its message as typed parameters, for POST and GET.
    private func decode(_ method: QueryMethodSchema, request: Request) async throws -> (ConnectRequestOptions, [String: ColumnValue]) {
        let headers = { (name: String) in AccessPolicy.values(of: name, in: request.headers) }
        if request.method == .get {
            // GET is for side-effect-free methods only (the spec's 405 otherwise).
            guard method.hasNoSideEffects else {
                var error = ConnectError(.unimplemented, "\(method.name) has side effects: use POST (GET needs idempotency_level NO_SIDE_EFFECTS)")
                error.statusOverride = 405
                error.headers = [("Allow", "POST")]
                throw error
            }
            let query = request.uri.query ?? ""
            var options = ConnectRequestOptions(
                codec: .json, requestCompression: .identity,
                responseCompression: ConnectCompression.negotiate(acceptEncoding: headers("accept-encoding")),
                timeout: try ConnectRequestOptions.timeout(headers("connect-timeout-ms")))
            guard ConnectGetRequest.isConnectForm(query: query) else {
                // The plain form: one query item per request field, answered in JSON.
                return (options, try RequestDecoder.decode(query: try Self.queryItems(query), method: method))
            }
            let get = try ConnectGetRequest.parse(query: query)
            // The message obeys the body limit too (before and after decompression).
            guard get.message.count <= maxBodyBytes else { throw Self.tooLarge(maxBodyBytes) }
            options.codec = get.codec
            options.requestCompression = get.compression
            let message = try get.compression.decompress(get.message, maxBytes: maxBodyBytes)
            return (options, try Self.parameters(message, codec: get.codec, method: method))
        }
        let options = try ConnectRequestOptions.post(headers: headers)
        let message = try options.requestCompression.decompress(try await body(of: request), maxBytes: maxBodyBytes)
        return (options, try Self.parameters(message, codec: options.codec, method: method))
    }

    static func parameters(_ message: [UInt8], codec: ConnectCodec, method: QueryMethodSchema) throws(ConnectError) -> [String: ColumnValue] {
        switch codec {
        case .json: return try RequestDecoder.decode(body: message, method: method)
        case .proto: return try ProtoRequestDecoder.decode(message, method: method)
        }
    }

    /// The response message in the request's codec, compressed when the client accepts it and
    /// the message is large enough to gain from it.
    static func response(_ result: QueryResult, method: QueryMethodSchema, options: ConnectRequestOptions, slot: ConcurrencySlot? = nil) throws(ConnectError) -> Response {
        var headers: HTTPFields = [.contentType: options.codec.contentType]
        // The body depends on Accept-Encoding: caches (GET answers are cacheable) must key on it.
        headers[Self.vary] = "Accept-Encoding"
        var body: [UInt8]
        switch options.codec {
        case .json:
            // Straight into bytes: the same bytes as `JSONWriter.write(_:)` of `ResponseEncoder.encode`,
            // without a String to copy or the message's tree to build.
            body = []
            body.reserveCapacity(256 + result.values.count * 96)
            try ResponseEncoder.write(result, method: method, into: &body)
        case .proto: body = try ProtoResponseEncoder.encode(result, method: method)
        }
        if options.responseCompression != .identity, body.count >= ConnectCompression.minResponseBytes {
            let (smaller, compressed) = options.responseCompression.compress(body)
            if compressed {
                body = smaller
                headers[.contentEncoding] = options.responseCompression.rawValue
            }
        }
        let buffer = ByteBuffer(bytes: body)
        guard let slot, buffer.readableBytes >= heldAnswerBytes else {
            // Small: one write with the head (the server's fast path); the slot goes now.
            slot?.release()
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
        }
        // Large: the slot stays with the body until it is written, so a client that does not read cannot
        // make the server hold more answers than there are slots (or frees it when the body is dropped).
        return Response(status: .ok, headers: headers, body: .init(contentLength: buffer.readableBytes) { writer in
            defer { slot.release() }
            try await writer.write(buffer)
            try await writer.finish(nil)
        })
    }

    /// Answers from this size on keep their concurrency slot until written; smaller ones (the many) are
    /// bounded by the connection limit times this.
    static let heldAnswerBytes = 64 << 10

    private func body(of request: Request) async throws(ConnectError) -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw Self.tooLarge(maxBodyBytes)
        }
        // Read in this task: the read timeout is kept on the event loop (`BodyReadTimeoutHandler`),
        // whose expiry ends the body stream with `BodyReadTimedOut`.
        do {
            return Array(try await request.body.collect(upTo: maxBodyBytes).readableBytesView)
        } catch is BodyReadTimedOut {
            throw Self.bodyTimedOut(bodyReadTimeout)
        } catch is NIOTooManyBytesError {
            // A chunked body has no Content-Length; it is refused once it passes the limit.
            throw Self.tooLarge(maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Self.tooLarge(maxBodyBytes)
        } catch {
            throw ConnectError(.invalidArgument, "request body: could not be read")
        }
    }

    static let vary = HTTPField.Name("vary")!

    static func bodyTimedOut(_ timeout: Duration) -> ConnectError {
        ConnectError(.deadlineExceeded, "request body: not received within \(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000) ms")
    }

    static func tooLarge(_ limit: Int) -> ConnectError {
        ConnectError(.resourceExhausted, "request body: larger than \(limit) bytes")
    }

    /// Strict `application/x-www-form-urlencoded` parsing (`+` is a space; bad `%` escapes are errors).
    static func queryItems(_ query: String?) throws(ConnectError) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        var items: [(name: String, value: String)] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) throws(ConnectError) -> String {
                guard let text = part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                    throw ConnectError(.invalidArgument, "query string: invalid percent-encoding")
                }
                return text
            }
            items.append((try decode(parts[0]), parts.count > 1 ? try decode(parts[1]) : ""))
        }
        return items
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: JSONWriter.write(value))))
    }
}
