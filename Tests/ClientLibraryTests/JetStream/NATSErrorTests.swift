import Testing
@testable import JetStream

@Suite("NATSError")
struct NATSErrorTests {
    @Test func connectionProblemsAreTransient() {
        #expect(NATSError(code: .connection, operation: "x").isTransient)
        #expect(NATSError(code: .timeout, operation: "x").isTransient)
    }

    @Test func configurationProblemsAreNotTransient() {
        #expect(!NATSError(code: .notFound, operation: "x").isTransient)
        #expect(!NATSError(code: .jetStream, operation: "x", jetStreamErrorCode: 10052).isTransient)
        #expect(!NATSError(code: .invalidArgument, operation: "x").isTransient)
    }

    @Test func clusterWithoutLeaderIsTransient() {
        #expect(NATSError(code: .jetStream, operation: "x", jetStreamErrorCode: 10008).isTransient)
    }

    @Test func descriptionNamesOperationStatusAndCode() {
        let error = NATSError(
            code: .notFound, operation: "js_GetStreamInfo", status: "Not Found", jetStreamErrorCode: 10059,
            detail: "stream not found"
        )
        #expect(error.description == "NATS notFound error in js_GetStreamInfo: Not Found (JetStream error 10059) - stream not found")
    }
}
