import CLibPQ
import Foundation

extension PostgresConnection {
    /// `query(_:_:timeout:)` that never holds more than `maxRows` rows or `maxBytes` bytes of values:
    /// rows are read one at a time (libpq single-row mode) and counted as they come, so a result that
    /// passes either bound costs at most the bound in memory. It is then cancelled on the server and
    /// discarded, and this throws `.resultTooLarge`; the connection stays usable.
    public func query(_ sql: String, _ params: [PostgresValue] = [], timeout: Duration, maxRows: Int, maxBytes: Int) async throws -> PostgresRows {
        let encoded = params.map(\.textEncoding)
        guard !sql.utf8.contains(0), !encoded.contains(where: { $0?.utf8.contains(0) ?? false }) else {
            throw PostgresError(code: .invalidValue, message: "SQL text and parameters cannot contain NUL characters")
        }
        let types = params.map { Oid($0.typeOID) }
        let secret = secret
        return try await withHandle(timeout: timeout) { handle in
            let cValues = encoded.map { $0.map { strdup($0) } ?? nil }
            defer { cValues.forEach { free($0) } }
            guard PQsendQueryParams(handle, sql, Int32(encoded.count), types, cValues.map { UnsafePointer($0) }, nil, nil, 0) == 1 else {
                throw PostgresError(result: nil, handle: handle, secret: secret)
            }
            // Must follow the send at once; 0 only if the query could not be sent, reported by the results.
            _ = PQsetSingleRowMode(handle)
            var reader = BoundedRowReader(maxRows: maxRows, maxBytes: maxBytes)
            var failure: PostgresError?
            while let result = PQgetResult(handle) {
                defer { PQclear(result) }
                switch PQresultStatus(result) {
                case PGRES_SINGLE_TUPLE:
                    guard failure == nil else { continue }
                    if !reader.append(result) {
                        failure = PostgresError(code: .resultTooLarge, message: reader.overflowMessage)
                        Self.cancelRunning(handle)
                    }
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                    if failure == nil { reader.finish(result) }
                case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                    self.abandonCopy(handle, status: PQresultStatus(result))
                    throw PostgresError(code: .protocol, message: "COPY FROM/TO STDIN is not supported")
                default:
                    // After our cancel the server ends the statement with 57014: that is the expected end.
                    if failure == nil { failure = PostgresError(result: result, handle: handle, secret: secret) }
                }
                if PQstatus(handle) != CONNECTION_OK { break }
            }
            if let failure { throw failure }
            return reader.rows
        }
    }

    /// Asks the server to stop the statement running on `handle` (a cancel request on its own connection).
    private static func cancelRunning(_ handle: OpaquePointer) {
        guard let cancel = PQgetCancel(handle) else { return }
        defer { PQfreeCancel(cancel) }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &buffer, Int32(buffer.count))
    }
}
