import Columnstore
import Foundation
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
        // Access and the body come first: only a complete, admitted request may take a slot.
        let tenant = try access.tenant(for: request.headers)
        let parameters: [String: ColumnValue]
        if request.method == .get {
            parameters = try RequestDecoder.decode(query: try Self.queryItems(request.uri.query), method: method)
        } else {
            parameters = try RequestDecoder.decode(body: try await body(of: request), method: method)
        }
        guard limiter.tryAcquire() else {
            throw ConnectError(.resourceExhausted, "too many concurrent requests; retry later")
        }
        defer { limiter.release() }
        guard let query = catalog.queries[method.name] else {
            throw ConnectError(.internal, "the method has no query", detail: "no prepared query for \(method.name)")
        }
        let result: QueryResult
        do {
            result = try await executor.execute(query, tenant: tenant, parameters: parameters)
        } catch let error as QueryError {
            throw ConnectError(error)
        }
        let json = try ResponseEncoder.encode(result, method: method)
        return Self.json(json, status: .ok)
    }

    private func body(of request: Request) async throws(ConnectError) -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw Self.tooLarge(maxBodyBytes)
        }
        let (limit, timeout, body) = (maxBodyBytes, bodyReadTimeout, request.body)
        do {
            return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask { Array(try await body.collect(upTo: limit).readableBytesView) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let bytes = try await group.next() ?? nil else { throw Self.bodyTimedOut(timeout) }
                return bytes
            }
        } catch let error as ConnectError {
            throw error
        } catch is NIOTooManyBytesError {
            // A chunked body has no Content-Length; it is refused once it passes the limit.
            throw Self.tooLarge(maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Self.tooLarge(maxBodyBytes)
        } catch {
            throw ConnectError(.invalidArgument, "request body: could not be read")
        }
    }

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
