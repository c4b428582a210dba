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

    /// A late exception exactly as clickhouse-server 25.12 frames it (tag from X-ClickHouse-Exception-Tag).
    static let tag = "rnywyenlaeqynhmu"
    static let lateMessage = "Code: 159. DB::Exception: Timeout exceeded: elapsed 126.147987 ms, maximum: 100 ms. (TIMEOUT_EXCEEDED) (version 25.12.1.649 (official build))"
    static func frame(_ message: String, tag: String = tag, length: Int? = nil) -> String {
        "\r\n__exception__\r\n\(tag)\r\n\(message)\n\(length ?? message.utf8.count + 1) \(tag)\r\n__exception__\r\n"
    }

    @Test func findsTaggedLateException() {
        let body = Array(("[1,\"a\"]\n[2,\"b\"]\n" + Self.frame(Self.lateMessage)).utf8)
        #expect(Self.frame(Self.lateMessage).contains("\n142 rnywyenlaeqynhmu\r\n"))
        let found = ClickHouseError.findLateException(in: body, exceptionTag: Self.tag)
        #expect(found?.code == 159)
        #expect(found?.message == "Timeout exceeded: elapsed 126.147987 ms, maximum: 100 ms. (TIMEOUT_EXCEEDED) (version 25.12.1.649 (official build))")
    }

    @Test func messageEndingInNewlineCountsItOnce() {
        // The server adds no second newline when the message has one; the length then counts it once.
        let message = "Code: 395. DB::Exception: boom\n"
        let body = Array(("1\n\r\n__exception__\r\n\(Self.tag)\r\n\(message)\(message.utf8.count) \(Self.tag)\r\n__exception__\r\n").utf8)
        #expect(ClickHouseError.findLateException(in: body, exceptionTag: Self.tag)?.code == 395)
    }

    @Test(arguments: [
        // The plain text old servers appended: row data can hold exactly this, so it is data.
        "0\n1\nCode: 395. DB::Exception: boom: while executing throwIf. (FUNCTION_THROW_IF_VALUE_IS_NON_ZERO) (version 23.8.1)\n",
        // A duplicate-check answer whose key holds exception-like text.
        "[\"Code: 1. DB::Exception: boom\"]\n",
        "Code: 1. DB::Exception: boom",
        "1\nCode: is fine\nDB::Exception mentioned\n__exception__ as a word in data\n2\n",
    ])
    func untaggedExceptionTextIsData(body: String) {
        #expect(ClickHouseError.findLateException(in: Array(body.utf8), exceptionTag: nil) == nil)
        #expect(ClickHouseError.findLateException(in: Array(body.utf8), exceptionTag: Self.tag) == nil)
    }

    @Test func framesThatDoNotMatchTheResponseAreData() {
        let wrongTag = Array(("1\n" + Self.frame(Self.lateMessage, tag: "aaaaaaaaaaaaaaaa")).utf8)
        #expect(ClickHouseError.findLateException(in: wrongTag, exceptionTag: Self.tag) == nil)
        let wrongLength = Array(("1\n" + Self.frame(Self.lateMessage, length: 7)).utf8)
        #expect(ClickHouseError.findLateException(in: wrongLength, exceptionTag: Self.tag) == nil)
        let notAtTheEnd = Array(("1\n" + Self.frame(Self.lateMessage) + "2\n").utf8)
        #expect(ClickHouseError.findLateException(in: notAtTheEnd, exceptionTag: Self.tag) == nil)
        let noTagHeader = Array(("1\n" + Self.frame(Self.lateMessage)).utf8)
        #expect(ClickHouseError.findLateException(in: noTagHeader, exceptionTag: nil) == nil)
        #expect(ClickHouseError.findLateException(in: [], exceptionTag: Self.tag) == nil)
    }

    @Test func rowHoldingExceptionTextIsASuccess() throws {
        let outcome = CurlOutcome(
            status: 200,
            headers: ["x-clickhouse-exception-tag": Self.tag],
            body: Array("{\"meta\":[],\"data\":[[\"Code: 1. DB::Exception: boom\"]]}\nCode: 1. DB::Exception: boom\n".utf8))
        let response = try outcome.result(requestedQueryID: "q").get()
        #expect(response.text.hasSuffix("Code: 1. DB::Exception: boom\n"))
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
            headers: ["x-clickhouse-exception-tag": Self.tag],
            body: Array(("1\n2\n" + Self.frame("Code: 395. DB::Exception: boom (version 25.12.1)")).utf8))
        let error = try #require(outcome.result(requestedQueryID: "q").failureError as? ClickHouseError)
        #expect(error.code == .server)
        #expect(error.serverCode == 395)
        #expect(error.message == "boom (version 25.12.1)")
        #expect(error.httpStatus == 200)
    }

    @Test func truncatedTransferWithoutAFrameIsATransportError() throws {
        // An older server's broken transfer: the text at the end is not trusted as an exception.
        let outcome = CurlOutcome(
            curlCode: 18, curlMessage: "transfer closed with outstanding read data remaining", status: 200,
            body: Array("1\n2\nCode: 395. DB::Exception: boom (version 24.12)\n".utf8))
        let error = try #require(outcome.result(requestedQueryID: "q").failureError as? ClickHouseError)
        #expect(error.code == .connection)
        #expect(error.serverCode == nil)
    }

    @Test func exceptionCodeHeaderOnA200IsAnError() throws {
        // Sent when the query failed after progress headers went out but before the body.
        let outcome = CurlOutcome(status: 200, headers: ["x-clickhouse-exception-code": "241"], body: [])
        let error = try #require(outcome.result(requestedQueryID: "q").failureError as? ClickHouseError)
        #expect(error.code == .server)
        #expect(error.serverCode == 241)
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
