import Foundation
@testable import Migrate
import Synchronization

/// Ports for the processes tests start (ingest, scratch nats-servers). The kernel picks a port that
/// is free now (bind to 0), and no port is handed out twice in one test run: the suites run in
/// parallel, and two processes given the same random port let a test read the other one's
/// endpoints (a test once waited on, and asked, another test's ingest).
enum FreePort {
    private static let handedOut = Mutex<Set<Int>>([])

    static func next() -> Int {
        for _ in 0..<100 {
            guard let port = kernelChosen() else { continue }
            let fresh = handedOut.withLock { $0.insert(port).inserted }
            if fresh { return port }
        }
        // Unreachable in practice; a random port still gives the test its chance.
        return Int.random(in: 20_000...29_999)
    }

    /// projection-migrate picks its own free ports the same way (`rebuild`'s temporary endpoints).
    private static func kernelChosen() -> Int? { Migrate.FreePort.pick() }
}
