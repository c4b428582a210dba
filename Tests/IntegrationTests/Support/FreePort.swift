import Foundation
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

    private static func kernelChosen() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
