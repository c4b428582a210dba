import Ingest
import Testing

@Suite("StalledConsumerWatch")
struct StalledConsumerWatchTests {
    let start = ContinuousClock.now

    /// Feeds (fetched, idle, seconds since start) and returns when the watch said to ask the stream.
    func asks(_ watch: inout StalledConsumerWatch, _ fetches: [(Int, Bool, Int)]) -> [Bool] {
        fetches.map { watch.fetched($0.0, idle: $0.1, now: start + .seconds($0.2)) }
    }

    @Test("asks the stream only after empty fetches with nothing held for the whole interval, then at most once per interval")
    func asksAfterQuietInterval() {
        var watch = StalledConsumerWatch(after: .seconds(5))
        #expect(asks(&watch, [(0, true, 0), (0, true, 4), (0, true, 5), (0, true, 9), (0, true, 10)]) == [false, false, true, false, true])
    }

    @Test("a delivery, something held, or a re-binding starts the interval over")
    func resets() {
        var watch = StalledConsumerWatch(after: .seconds(5))
        #expect(asks(&watch, [(0, true, 0), (3, true, 6), (0, true, 7), (0, false, 13), (0, true, 14)]) == [false, false, false, false, false])
        watch.rebound()
        #expect(asks(&watch, [(0, true, 20), (0, true, 25)]) == [false, true])
    }
}
