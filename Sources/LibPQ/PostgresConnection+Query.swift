import CLibPQ
import Foundation

extension PostgresConnection {
    /// Runs one statement with `$1…` parameters (`PQexecParams`, text format) and returns its rows.
    ///
    /// Parameters travel separately from the SQL, so hostile strings are stored verbatim.
    @discardableResult
    public func query(_ sql: String, _ params: [PostgresValue] = []) async throws -> PostgresRows {
        let encoded = params.map(\.textEncoding)
        guard !sql.containsNUL, !encoded.contains(where: { $0?.containsNUL ?? false }) else {
            throw PostgresError(code: .invalidValue, message: "SQL text and parameters cannot contain NUL characters")
        }
        let types = params.map { Oid($0.typeOID) }
        return try await withHandle { handle in
            try self.execParams(handle, sql: sql, encoded: encoded, types: types)
        }
    }

    /// `query(_:_:)` with a client-side deadline: when `timeout` passes first, the statement is
    /// cancelled (`PQcancel`), the socket shut down so the blocked call returns, and this throws
    /// `.timedOut` at once; the connection is then dead (`isAlive` false), so drop it.
    ///
    /// Use a server-side timeout (`statement_timeout`) shorter than `timeout` for ordinary slow
    /// queries; this deadline is for a server or network that stops answering.
    @discardableResult
    public func query(_ sql: String, _ params: [PostgresValue] = [], timeout: Duration) async throws -> PostgresRows {
        let encoded = params.map(\.textEncoding)
        guard !sql.containsNUL, !encoded.contains(where: { $0?.containsNUL ?? false }) else {
            throw PostgresError(code: .invalidValue, message: "SQL text and parameters cannot contain NUL characters")
        }
        let types = params.map { Oid($0.typeOID) }
        return try await withHandle(timeout: timeout) { handle in
            try self.execParams(handle, sql: sql, encoded: encoded, types: types)
        }
    }

    /// Blocking `PQexecParams`; on the queue.
    private func execParams(_ handle: OpaquePointer, sql: String, encoded: [String?], types: [Oid]) throws -> PostgresRows {
        let cValues = encoded.map { $0.map { strdup($0) } ?? nil }
        defer { cValues.forEach { free($0) } }
        let result = PQexecParams(
            handle, sql, Int32(encoded.count), types, cValues.map { UnsafePointer($0) }, nil, nil, 0
        )
        defer { PQclear(result) }
        return try rows(from: result, handle: handle)
    }

    /// Runs one or more `;`-separated statements without parameters (`PQexec`), e.g. a DDL script.
    ///
    /// Outside an explicit transaction the statements run in one implicit transaction.
    public func execute(_ sql: String) async throws {
        guard !sql.containsNUL else {
            throw PostgresError(code: .invalidValue, message: "SQL text cannot contain NUL characters")
        }
        try await withHandle { handle in
            let result = PQexec(handle, sql)
            defer { PQclear(result) }
            _ = try self.rows(from: result, handle: handle)
        }
    }

    /// `execute(_:)` with a client-side deadline, as `query(_:_:timeout:)`.
    public func execute(_ sql: String, timeout: Duration) async throws {
        guard !sql.containsNUL else {
            throw PostgresError(code: .invalidValue, message: "SQL text cannot contain NUL characters")
        }
        try await withHandle(timeout: timeout) { handle in
            let result = PQexec(handle, sql)
            defer { PQclear(result) }
            _ = try self.rows(from: result, handle: handle)
        }
    }

    /// Converts a finished result into rows, or throws the error it carries. On the queue.
    func rows(from result: OpaquePointer?, handle: OpaquePointer) throws -> PostgresRows {
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        switch status {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            break
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            abandonCopy(handle, status: status)
            throw PostgresError(code: .protocol, message: "COPY FROM/TO STDIN is not supported")
        default:
            throw PostgresError(result: result, handle: handle, secret: secret)
        }
        guard let result else { throw PostgresError(code: .protocol, message: "no result") }
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        let columnTypes = (0..<columnCount).map { UInt32(PQftype(result, Int32($0))) }
        var values: [[String?]] = []
        values.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            values.append((0..<Int32(columnCount)).map { column in
                guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else {
                    return nil
                }
                let length = Int(PQgetlength(result, row, column))
                return value.withMemoryRebound(to: UInt8.self, capacity: length) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                }
            })
        }
        let affected = PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
        let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
        return PostgresRows(
            columns: columns, columnTypes: columnTypes, values: values, affectedRows: affected, commandTag: tag
        )
    }

    /// Leaves a COPY state that a plain query ran into, so the connection stays usable.
    func abandonCopy(_ handle: OpaquePointer, status: ExecStatusType) {
        if status == PGRES_COPY_IN || status == PGRES_COPY_BOTH {
            _ = PQputCopyEnd(handle, "COPY FROM STDIN is not supported")
        }
        if status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH {
            var buffer: UnsafeMutablePointer<CChar>?
            while PQgetCopyData(handle, &buffer, 0) >= 0 {
                if let buffer { PQfreemem(buffer) }
            }
        }
        drainResults(handle)
    }

    /// Reads and discards results until libpq is ready for the next command.
    ///
    /// Returns the first error result's error, if any. Stops at a COPY state (never loops on it).
    @discardableResult
    func drainResults(_ handle: OpaquePointer) -> PostgresError? {
        var firstError: PostgresError?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            if status == PGRES_FATAL_ERROR, firstError == nil {
                firstError = PostgresError(result: result, handle: handle, secret: secret)
            }
            if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH
                || PQstatus(handle) != CONNECTION_OK
            {
                break
            }
        }
        return firstError
    }
}
