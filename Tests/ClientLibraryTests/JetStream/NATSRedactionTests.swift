import Testing
@testable import JetStream

@Suite("NATS URL redaction")
struct NATSRedactionTests {
    @Test func passwordIsRedacted() {
        #expect(NATSConnection.redact(url: "nats://app:s3cret@nats.example:4222") == "nats://app:***@nats.example:4222")
    }

    @Test func tokenIsRedacted() {
        #expect(NATSConnection.redact(url: "nats://tok3n@127.0.0.1:4222") == "nats://***@127.0.0.1:4222")
    }

    @Test func urlWithoutCredentialsIsUnchanged() {
        #expect(NATSConnection.redact(url: "nats://127.0.0.1:4222") == "nats://127.0.0.1:4222")
    }

    @Test func everyURLInAListIsRedacted() {
        let redacted = NATSConnection.redact(url: "nats://a:pw1@h1:4222,nats://b:pw2@h2:4222")
        #expect(redacted == "nats://a:***@h1:4222,nats://b:***@h2:4222")
    }

    @Test func passwordContainingAtSignIsRedacted() {
        let redacted = NATSConnection.redact(url: "tls://user:p@ss@host:4222")
        #expect(redacted == "tls://user:***@host:4222")
        #expect(!redacted.contains("ss@"))
    }

    @Test func errorDetailIsRedacted() {
        let error = NATSError(code: .connection, operation: "connect", detail: "cannot reach nats://u:hunter2@h:4222/")
        #expect(!error.description.contains("hunter2"))
        #expect(error.description.contains("nats://u:***@h:4222"))
    }
}
