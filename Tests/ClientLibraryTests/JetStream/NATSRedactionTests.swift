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

    @Test("a password holding '/', '@', ':' or ',' is masked whole; the host stays", arguments: [
        "pa/ss", "p/a@s:s", "@/:", "a,b/c", "x@y/z:w", "/@host:1",
    ])
    func passwordWithSeparatorsIsRedacted(password: String) {
        let redacted = NATSConnection.redact(url: "nats://app:\(password)@nats.example:4222")
        #expect(redacted == "nats://app:***@nats.example:4222", "\(password) → \(redacted)")
        let listed = NATSConnection.redact(url: "nats://a:\(password)@h1:4222,tls://b:\(password)@h2:4222/")
        #expect(listed == "nats://a:***@h1:4222,tls://b:***@h2:4222/", "\(password) → \(listed)")
        let embedded = NATSConnection.redact(url: "cannot reach nats://u:\(password)@h:4222/ (timeout)")
        #expect(embedded == "cannot reach nats://u:***@h:4222/ (timeout)", "\(password) → \(embedded)")
    }

    @Test("a token holding '/' is masked whole")
    func tokenWithSlashIsRedacted() {
        #expect(NATSConnection.redact(url: "nats://to/k3n@127.0.0.1:4222") == "nats://***@127.0.0.1:4222")
    }
}
