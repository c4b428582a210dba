import CLibPQ

extension PostgresConnection {
    /// Runs `COPY table (columns) FROM STDIN …` and streams the data `rows` writes.
    ///
    /// `rows` runs on the connection's queue while the caller is suspended, so it should only
    /// encode data (e.g. with `PostgresBinaryCopyWriter`) and call `copy.write`. If it throws, the
    /// COPY is aborted (nothing is stored) and its error is rethrown. Works inside `transaction`.
    /// - Returns: the number of rows copied.
    public func copyIn(_ sql: String, rows: (PostgresCopyIn) throws -> Void) async throws -> Int {
        guard !sql.utf8.contains(0) else {
            throw PostgresError(code: .invalidValue, message: "SQL text cannot contain NUL characters")
        }
        return try await withHandle { handle in
            let start = PQexec(handle, sql)
            let status = start.map(PQresultStatus) ?? PGRES_FATAL_ERROR
            guard status == PGRES_COPY_IN else {
                defer { PQclear(start) }
                if status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH {
                    self.abandonCopy(handle, status: status)
                    throw PostgresError(code: .protocol, message: "copyIn needs COPY … FROM STDIN")
                }
                if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK {
                    throw PostgresError(code: .protocol, message: "copyIn needs COPY … FROM STDIN")
                }
                throw PostgresError(result: start, handle: handle, secret: self.secret)
            }
            PQclear(start)

            let copy = PostgresCopyIn(handle: handle)
            do {
                try rows(copy)
                try copy.flush()
            } catch {
                if !copy.sendFailed {
                    _ = PQputCopyEnd(handle, "COPY aborted by the client")
                }
                // Prefer the server's reason (e.g. a bad row) over a generic send failure.
                let serverError = self.drainResults(handle)
                throw copy.sendFailed ? (serverError ?? error) : error
            }
            guard PQputCopyEnd(handle, nil) == 1 else {
                let error = PostgresError(code: .connectionLost, message: self.scrub(Self.errorMessage(handle)))
                throw self.drainResults(handle) ?? error
            }
            let end = PQgetResult(handle)
            defer { PQclear(end) }
            let copied = try self.rows(from: end, handle: handle).affectedRows
            if let error = self.drainResults(handle) { throw error }
            return copied
        }
    }
}
