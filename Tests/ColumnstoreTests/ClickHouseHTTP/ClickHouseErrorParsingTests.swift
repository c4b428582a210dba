import Testing
@testable import ClickHouseHTTP

@Suite("ClickHouseError parsing")
struct ClickHouseErrorParsingTests {
    @Test func parsesExceptionBody() {
        let parsed = ClickHouseError.parseExceptionText(
            "Code: 60. DB::Exception: Table projection.nope does not exist. (UNKNOWN_TABLE) (version 24.3.1.1)\n")
        #expect(parsed.code == 60)
        #expect(parsed.message == "Table projection.nope does not exist. (UNKNOWN_TABLE) (version 24.3.1.1)")
    }

    @Test func parsesOldExceptionSpelling() {
        let parsed = ClickHouseError.parseExceptionText("Code: 62, e.displayText() = DB::Exception: Syntax error")
        #expect(parsed.code == 62)
        #expect(parsed.message == "Syntax error")
    }

    @Test func findsPlainExceptionAtTheEndOfA200Body() {
        let body = Array("0\n1\n2\nCode: 395. DB::Exception: boom: while executing throwIf. (FUNCTION_THROW_IF_VALUE_IS_NON_ZERO) (version 23.8.1)\n".utf8)
        let found = ClickHouseError.findLateException(in: body, exceptionTag: nil)
        #expect(found?.code == 395)
        #expect(found?.message.hasPrefix("boom") == true)
    }

    @Test func findsTaggedException() {
        let body = Array("row1\nrow2\n__exception__PU1FNUFH98\r\nCode: 395. DB::Exception: boom. (FUNCTION_THROW_IF_VALUE_IS_NON_ZERO)\r\n63 PU1FNUFH98__exception__\r\n".utf8)
        let found = ClickHouseError.findLateException(in: body, exceptionTag: "PU1FNUFH98")
        #expect(found?.code == 395)
        #expect(found?.message == "boom. (FUNCTION_THROW_IF_VALUE_IS_NON_ZERO)")
    }

    @Test func ordinaryDataIsNotAnException() {
        let body = Array("1\nCode: is fine\nDB::Exception mentioned\n__exception__ as a word in data\n2\n".utf8)
        #expect(ClickHouseError.findLateException(in: body, exceptionTag: nil) == nil)
        #expect(ClickHouseError.findLateException(in: [], exceptionTag: nil) == nil)
    }

    @Test func httpErrorUsesHeaderCode() throws {
        let outcome = CurlOutcome(
            status: 404,
            headers: ["x-clickhouse-exception-code": "60", "x-clickhouse-query-id": "q1"],
            body: Array("Code: 60. DB::Exception: Table x does not exist. (UNKNOWN_TABLE)".utf8))
        let error = try #require(outcome.result(requestedQueryID: "q0").failureError as? ClickHouseError)
        #expect(error.code == .server)
        #expect(error.serverCode == 60)
        #expect(error.httpStatus == 404)
        #expect(error.queryID == "q1")
        #expect(error.message.contains("does not exist"))
    }

    @Test func authenticationFailureIsItsOwnCode() throws {
        let outcome = CurlOutcome(
            status: 403,
            body: Array("Code: 516. DB::Exception: projection: Authentication failed. (AUTHENTICATION_FAILED)".utf8))
        let error = try #require(outcome.result(requestedQueryID: nil).failureError as? ClickHouseError)
        #expect(error.code == .authentication)
        #expect(error.serverCode == 516)
    }

    @Test func lateExceptionBeatsATruncatedTransfer() throws {
        let outcome = CurlOutcome(
            curlCode: 18, curlMessage: "transfer closed with outstanding read data remaining", status: 200,
            body: Array("1\n2\nCode: 395. DB::Exception: boom (version 25.1)\n".utf8))
        let error = try #require(outcome.result(requestedQueryID: "q").failureError as? ClickHouseError)
        #expect(error.code == .server)
        #expect(error.serverCode == 395)
        #expect(error.httpStatus == 200)
    }

    @Test(arguments: [(7, ClickHouseError.Code.connection), (28, .timeout), (56, .connection), (61, .protocolViolation)])
    func transportErrorsAreClassified(curlCode: Int, expected: ClickHouseError.Code) throws {
        let outcome = CurlOutcome(curlCode: curlCode, curlMessage: "curl says no")
        let error = try #require(outcome.result(requestedQueryID: "q").failureError as? ClickHouseError)
        #expect(error.code == expected)
        #expect(error.message == "curl says no")
    }

    @Test func successCarriesSummaryAndQueryID() throws {
        let outcome = CurlOutcome(
            status: 200,
            headers: [
                "x-clickhouse-query-id": "abc",
                "x-clickhouse-summary": #"{"read_rows":"1","written_rows":"5","written_bytes":"40","elapsed_ns":"123"}"#,
            ],
            body: Array("1\n".utf8))
        let response = try outcome.result(requestedQueryID: nil).get()
        #expect(response.queryID == "abc")
        #expect(response.summary?.writtenRows == 5)
        #expect(response.summary?.writtenBytes == 40)
        #expect(response.summary?.readRows == 1)
        #expect(response.summary?.elapsedNanoseconds == 123)
        #expect(response.text == "1\n")
    }

    @Test func cancelledOutcomeIsCancelled() throws {
        let error = try #require(CurlOutcome(cancelled: true).result(requestedQueryID: nil).failureError as? ClickHouseError)
        #expect(error.code == .cancelled)
    }

    @Test func descriptionNamesCodeStatusAndQuery() {
        let error = ClickHouseError(code: .server, message: "boom", serverCode: 395, queryID: "q9", httpStatus: 500)
        #expect(error.description == "ClickHouse server error (code 395) [HTTP 500]: boom (query id q9)")
    }
}

extension Result {
    fileprivate var failureError: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
