import Testing
@testable import Ingest

@Suite("Ingress body deadlines")
struct BodyDeadlinesTests {
    struct Broken: Error {}

    @Test("a body that finishes first is the outcome; a later expiry changes nothing")
    func bodyFirst() async throws {
        let deadlines = BodyDeadlines(timeout: .seconds(600))
        let read = deadlines.start()
        read.finish(.success([1, 2, 3]))
        deadlines.expire(now: read.deadline + .seconds(1))
        read.expire()
        #expect(try await read.outcome()?.get() == [1, 2, 3])
        deadlines.finished(read)
    }

    @Test("a read past its deadline answers nil (408), also to a waiter already waiting; a late body is ignored")
    func deadlineFirst() async throws {
        let deadlines = BodyDeadlines(timeout: .seconds(600))
        let read = deadlines.start()
        let other = deadlines.start()
        deadlines.expire(now: read.deadline - .seconds(1))
        async let waiting = read.outcome()
        deadlines.expire(now: read.deadline)
        #expect(await waiting == nil)
        read.finish(.success([1]))
        #expect(await read.outcome() == nil)
        // `other` started later: still reading until its own deadline.
        other.finish(.failure(Broken()))
        let failed = try #require(await other.outcome())
        #expect(throws: Broken.self) { try failed.get() }
    }
}
