import CLibPQ
import Foundation

extension PostgresConnection {
    /// `query(_:_:timeout:)` that never holds more than `maxRows` rows or `maxBytes` bytes of values:
    /// rows are read one at a time (libpq single-row mode) and counted as they come, so a result that
    /// passes either bound costs at most the bound in memory. It is then cancelled on the server and
    /// discarded, and this throws `.resultTooLarge`; the connection stays usable.
    ///
    /// With `prepared`, the statement is prepared on this connection the first time (`PQsendPrepare`) and
    /// later calls only bind and execute it, so the server parses and analyses it once per session.
    /// A statement the server no longer accepts is handled once per call, before any row is read: a
    /// changed result type after DDL (0A000) re-prepares it; a statement the server lost (26000, e.g.
    /// a transaction-mode pooler in between) turns preparation off for this connection. Both retry unnamed
    /// or re-prepared, so the caller sees the same answers and errors as without `prepared`.
    public func query(
        _ sql: String, _ params: [PostgresValue] = [], timeout: Duration, maxRows: Int, maxBytes: Int, prepared: Bool = false
    ) async throws -> PostgresRows {
        let encoded = params.map(\.textEncoding)
        guard !sql.containsNUL, !encoded.contains(where: { $0?.containsNUL ?? false }) else {
            throw PostgresError(code: .invalidValue, message: "SQL text and parameters cannot contain NUL characters")
        }
        let types = params.map { Oid($0.typeOID) }
        let deadline = ContinuousClock.now + timeout
        return try await withHandle(until: deadline) { handle in
            let cValues = encoded.map { $0.map { strdup($0) } ?? nil }
            defer { cValues.forEach { free($0) } }
            let values = cValues.map { UnsafePointer($0) }
            var attempt = BoundedAttempt.first
            while true {
                let name = prepared ? try self.statementName(handle, sql: sql, types: types, deadline: deadline) : nil
                switch try self.runBounded(
                    handle, sql: sql, name: name, types: types, values: values, maxRows: maxRows, maxBytes: maxBytes, deadline: deadline
                ) {
                case .rows(let rows):
                    return rows
                case .failed(let failure, let rowsRead):
                    guard let name, attempt == .first, rowsRead == 0, PQstatus(handle) == CONNECTION_OK,
                          let state = failure.sqlState, state == "0A000" || state == "26000" else { throw failure }
                    attempt = .retry
                    try self.forget(handle, sql: sql, name: name, serverLostIt: state == "26000", deadline: deadline)
                }
            }
        }
    }

    private enum BoundedAttempt { case first, retry }

    private enum BoundedOutcome {
        case rows(PostgresRows)
        case failed(PostgresError, rowsRead: Int)
    }

    /// Sends the statement (named when `name` is set) and reads its rows within the bounds. On the queue.
    private func runBounded(
        _ handle: OpaquePointer, sql: String, name: String?, types: [Oid], values: [UnsafePointer<CChar>?], maxRows: Int, maxBytes: Int,
        deadline: ContinuousClock.Instant
    ) throws -> BoundedOutcome {
        let sent = if let name {
            PQsendQueryPrepared(handle, name, Int32(values.count), values, nil, nil, 0)
        } else {
            PQsendQueryParams(handle, sql, Int32(values.count), types, values, nil, nil, 0)
        }
        guard sent == 1 else { throw PostgresError(result: nil, handle: handle, secret: secret) }
        // Must follow the send at once; 0 only if the query could not be sent, reported by the results.
        _ = PQsetSingleRowMode(handle)
        var reader = BoundedRowReader(maxRows: maxRows, maxBytes: maxBytes)
        var failure: PostgresError?
        var rowsRead = 0
        while true {
            try awaitResult(handle, until: deadline)
            guard let result = PQgetResult(handle) else { break }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_SINGLE_TUPLE:
                guard failure == nil else { continue }
                rowsRead += 1
                if !reader.append(result) {
                    failure = PostgresError(code: .resultTooLarge, message: reader.overflowMessage)
                    Self.cancelRunning(handle)
                }
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                if failure == nil { reader.finish(result) }
            case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                abandonCopy(handle, status: PQresultStatus(result))
                throw PostgresError(code: .protocol, message: "COPY FROM/TO STDIN is not supported")
            default:
                // After our cancel the server ends the statement with 57014: that is the expected end.
                if failure == nil { failure = PostgresError(result: result, handle: handle, secret: secret) }
            }
            if PQstatus(handle) != CONNECTION_OK { break }
        }
        if let failure { return .failed(failure, rowsRead: rowsRead) }
        return .rows(reader.rows)
    }

    /// The name `sql` is prepared under on this session, preparing it first if need be; nil when the
    /// connection runs statements unnamed. On the queue.
    private func statementName(_ handle: OpaquePointer, sql: String, types: [Oid], deadline: ContinuousClock.Instant) throws -> String? {
        if let name = preparedStatements.name(for: sql) { return name }
        guard preparedStatements.hasRoom else { return nil }
        let name = preparedStatements.nextName()
        guard PQsendPrepare(handle, name, sql, Int32(types.count), types) == 1 else {
            throw PostgresError(result: nil, handle: handle, secret: secret)
        }
        // A statement that cannot be prepared fails here as it would unnamed (same server error).
        if let failure = try finishCommand(handle, until: deadline) { throw failure }
        preparedStatements.add(sql, name: name)
        return name
    }

    /// Reads a sent command's results until libpq is idle again, within the deadline; the first
    /// error, if any. On the queue.
    private func finishCommand(_ handle: OpaquePointer, until deadline: ContinuousClock.Instant) throws -> PostgresError? {
        var failure: PostgresError?
        while true {
            try awaitResult(handle, until: deadline)
            guard let result = PQgetResult(handle) else { return failure }
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            if status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK, failure == nil {
                failure = PostgresError(result: result, handle: handle, secret: secret)
            }
            if PQstatus(handle) != CONNECTION_OK { return failure ?? PostgresError(result: nil, handle: handle, secret: secret) }
        }
    }

    /// Waits until libpq can hand out a result without blocking, or `deadline` passes: then the
    /// statement is interrupted (cancel request, socket shut down, connection finished) and this
    /// throws `.timedOut`. The wait is a `poll` on the socket inside the queue's job, so a
    /// statement needs no timer of its own (a dispatch timer per query cost wake-ups of
    /// libdispatch's timer thread). On the queue.
    private func awaitResult(_ handle: OpaquePointer, until deadline: ContinuousClock.Instant) throws {
        while PQisBusy(handle) == 1 {
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                interrupter.interrupt()
                throw Self.timedOut
            }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            // Whole milliseconds, rounded up: the loop re-checks the deadline after every wake-up.
            let milliseconds = left.components.seconds * 1000 + (left.components.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
            let ready = poll(&descriptor, 1, Int32(clamping: milliseconds))
            if ready < 0, errno == EINTR { continue }
            // A broken socket is reported by the next PQgetResult; nothing to tell apart here.
            if ready != 0, PQconsumeInput(handle) == 0 { return }
        }
    }

    /// Drops a statement the server refused to run as prepared: re-prepared next time, or (when the
    /// server no longer knows it) never prepared again on this connection. On the queue.
    private func forget(_ handle: OpaquePointer, sql: String, name: String, serverLostIt: Bool, deadline: ContinuousClock.Instant) throws {
        if serverLostIt {
            preparedStatements.disable()
            return
        }
        preparedStatements.remove(sql)
        guard PQsendQuery(handle, "DEALLOCATE \(name)") == 1 else { return }
        _ = try finishCommand(handle, until: deadline)
    }

    /// Asks the server to stop the statement running on `handle` (a cancel request on its own connection).
    private static func cancelRunning(_ handle: OpaquePointer) {
        guard let cancel = PQgetCancel(handle) else { return }
        defer { PQfreeCancel(cancel) }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &buffer, Int32(buffer.count))
    }
}
