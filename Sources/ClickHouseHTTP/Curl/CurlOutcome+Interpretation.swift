extension CurlOutcome {
    // CURLcode values used below (stable ABI numbers from curl.h).
    private enum CurlCode {
        static let couldNotResolveProxy = 5
        static let couldNotResolveHost = 6
        static let couldNotConnect = 7
        static let partialFile = 18
        static let writeError = 23
        static let operationTimedOut = 28
        static let abortedByCallback = 42
        static let gotNothing = 52
        static let sendError = 55
        static let recvError = 56
        static let badContentEncoding = 61
    }

    /// ClickHouse exception codes that mean "who are you": UNKNOWN_USER, WRONG_PASSWORD,
    /// REQUIRED_PASSWORD, AUTHENTICATION_FAILED.
    private static let authenticationServerCodes: Set<Int> = [192, 193, 194, 516]

    /// Turns the raw transfer into a response or a `ClickHouseError` (or the body source's error).
    func result(requestedQueryID: String?) -> Result<ClickHouseResponse, Error> {
        let queryID = headers["x-clickhouse-query-id"] ?? requestedQueryID
        if cancelled {
            return .failure(ClickHouseError(code: .cancelled, message: "request cancelled", queryID: queryID))
        }
        if let bodyError {
            return .failure(bodyError)
        }
        let headerCode = headers["x-clickhouse-exception-code"].flatMap { Int($0.trimmingWhitespace()) }

        // An HTTP error status wins over a transport error: the server may have answered and
        // closed the connection before reading all of the body.
        if status >= 300 {
            let parsed = ClickHouseError.parseExceptionText(String(decoding: body.prefix(64 * 1024), as: UTF8.self))
            let serverCode = headerCode ?? parsed.code
            let isAuth = status == 401 || status == 403 || serverCode.map(Self.authenticationServerCodes.contains) == true
            return .failure(ClickHouseError(
                code: isAuth ? .authentication : .server,
                message: parsed.message.isEmpty ? "HTTP status \(status)" : parsed.message,
                serverCode: serverCode,
                queryID: queryID,
                httpStatus: status
            ))
        }

        // Status 200 was sent before the query failed. The server marks that in one of two ways:
        // the exception-code header (when it failed while still sending headers), or a frame
        // tagged with `X-ClickHouse-Exception-Tag` closing the body (it then breaks the transfer,
        // so curl may report an error too). Nothing else in a body is read as an error: a
        // broken transfer without a frame is a transport error below, never a guess from data.
        if (200..<300).contains(status) {
            let late = ClickHouseError.findLateException(in: body, exceptionTag: headers["x-clickhouse-exception-tag"])
            if late != nil || headerCode != nil {
                return .failure(ClickHouseError(
                    code: .server,
                    message: late?.message ?? "query failed after the response started",
                    serverCode: late?.code ?? headerCode,
                    queryID: queryID,
                    httpStatus: status
                ))
            }
        }

        if curlCode != 0 {
            return .failure(transportError(queryID: queryID))
        }
        guard (200..<300).contains(status) else {
            return .failure(ClickHouseError(
                code: .protocolViolation, message: "unexpected HTTP status \(status)", queryID: queryID, httpStatus: status))
        }
        return .success(ClickHouseResponse(
            status: status,
            body: body,
            queryID: queryID,
            summary: headers["x-clickhouse-summary"].flatMap { ClickHouseSummary(headerValue: $0) },
            headers: headers,
            requestBodyCompressed: requestBodyCompressed
        ))
    }

    private func transportError(queryID: String?) -> ClickHouseError {
        let detail = curlMessage.isEmpty ? "curl error \(curlCode)" : curlMessage
        let httpStatus = status == 0 ? nil : status
        let code: ClickHouseError.Code
        var message = detail
        switch curlCode {
        case CurlCode.operationTimedOut:
            code = .timeout
        case CurlCode.writeError where responseTooLarge:
            code = .responseTooLarge
            message = "response larger than maxResponseBytes"
        case CurlCode.badContentEncoding:
            code = .protocolViolation
        case CurlCode.abortedByCallback:
            code = .cancelled
        case CurlCode.couldNotResolveProxy, CurlCode.couldNotResolveHost, CurlCode.couldNotConnect,
             CurlCode.partialFile, CurlCode.gotNothing, CurlCode.sendError, CurlCode.recvError:
            code = .connection
        default:
            code = .connection
        }
        return ClickHouseError(code: code, message: message, queryID: queryID, httpStatus: httpStatus)
    }
}
