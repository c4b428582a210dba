import Testing
@testable import JetStream

/// The pull requests `PullSubscription.fetch` sends, and how it reads the statuses that answer them.
@Suite("Pull request and status")
struct PullRequestTests {
    @Test func jsonHasEveryFieldThatIsSet() {
        let request = PullRequest(batch: 500, maxBytes: 1_114_112, timeoutMillis: 200, noWait: true)
        #expect(request.json == #"{"batch":500,"max_bytes":1114112,"expires":190000000,"no_wait":true}"#)
    }

    @Test func jsonLeavesOutNoByteBoundAndWaiting() {
        let request = PullRequest(batch: 1, maxBytes: 0, timeoutMillis: 5, noWait: false)
        #expect(request.json == #"{"batch":1,"expires":5000000}"#)
    }

    @Test func serverIsAskedToExpireTenMillisecondsEarlyFromTwentyOn() {
        #expect(PullRequest(batch: 1, maxBytes: 0, timeoutMillis: 19, noWait: false).expiresNanoseconds == 19_000_000)
        #expect(PullRequest(batch: 1, maxBytes: 0, timeoutMillis: 20, noWait: false).expiresNanoseconds == 10_000_000)
        #expect(PullRequest(batch: 1, maxBytes: 0, timeoutMillis: 1, noWait: false).expiresNanoseconds == 1_000_000)
    }

    @Test func statusesEndHeartbeatsAreIgnoredOthersFail() {
        #expect(PullStatus(code: "404", description: "No Messages").outcome == .ended)
        #expect(PullStatus(code: "408", description: "Request Timeout").outcome == .ended)
        #expect(PullStatus(code: "409", description: "Message Size Exceeds MaxBytes").outcome == .ended)
        #expect(PullStatus(code: "100", description: "Idle Heartbeat").outcome == .ignore)
        #expect(PullStatus(code: "409", description: "Consumer Deleted").outcome == .failed)
        #expect(PullStatus(code: "503", description: "").outcome == .failed)
    }
}
