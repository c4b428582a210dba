import Dispatch
import Testing

@testable import JetStream

/// The tracked-publish watchdog: a call whose acks never all arrive ends at its deadline with the
/// acks it has (nil for the rest), and one that got every ack ends at once. No server: the ack
/// handler's work is done by hand, as libnats' thread would.
@Suite("Tracked publish watchdog", .timeLimit(.minutes(1)))
struct PublishWatchdogTests {
    @Test("a missing ack ends the wait at the deadline; the acks that came are kept")
    func missingAck() async throws {
        let acks = AsyncPublishAcks(untracked: AsyncPublishFailures())
        defer { acks.stop() }
        let outcomes = PublishOutcomes(count: 2, deadline: .now() + .milliseconds(300))
        acks.track(outcomes)
        acks.register("a", outcomes, index: 0)
        acks.register("b", outcomes, index: 1)
        acks.resolve(messageID: "a", .success(PubAck(stream: "S", sequence: 7, duplicate: false)))
        await outcomes.wait()
        let snapshot = outcomes.snapshot
        #expect(snapshot.count == 2)
        #expect(try snapshot[0]?.get() == PubAck(stream: "S", sequence: 7, duplicate: false))
        #expect(snapshot[1] == nil)
        acks.unregister(outcomes, ids: ["a", "b"])
        // A late ack for the abandoned call goes nowhere (it was unregistered).
        acks.resolve(messageID: "b", .success(PubAck(stream: "S", sequence: 8, duplicate: false)))
        #expect(outcomes.snapshot[1] == nil)
    }

    @Test("every ack in: the wait ends without the deadline")
    func allAcks() async throws {
        let acks = AsyncPublishAcks(untracked: AsyncPublishFailures())
        defer { acks.stop() }
        // A deadline far away: if the wait needed it, the suite's time limit would fail the test.
        let outcomes = PublishOutcomes(count: 1, deadline: .now() + .seconds(3600))
        acks.track(outcomes)
        acks.register("a", outcomes, index: 0)
        acks.resolve(messageID: "a", .success(PubAck(stream: "S", sequence: 1, duplicate: true)))
        await outcomes.wait()
        #expect(try outcomes.snapshot[0]?.get().duplicate == true)
        acks.unregister(outcomes, ids: ["a"])
    }
}
