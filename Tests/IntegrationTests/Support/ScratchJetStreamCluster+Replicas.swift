import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension ScratchJetStreamCluster {
    /// One node's copy of a stream, as its own `/jsz` reports it.
    struct ReplicaState: Equatable, CustomStringConvertible {
        var messages: UInt64
        var bytes: UInt64
        var firstSequence: UInt64
        var lastSequence: UInt64
        var description: String { "\(messages) msgs \(bytes) B \(firstSequence)…\(lastSequence)" }
    }

    /// Node `index`'s copy of every stream it holds, by stream name (nil when it does not answer).
    func replicaStates(_ index: Int) async -> [String: ReplicaState]? {
        guard let url = URL(string: "http://127.0.0.1:\(monitorPorts[index])/jsz?accounts=true&streams=true"),
              let (data, _) = try? await URLSession.shared.data(from: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        var states: [String: ReplicaState] = [:]
        for account in json["account_details"] as? [[String: Any]] ?? [] {
            for stream in account["stream_detail"] as? [[String: Any]] ?? [] {
                guard let name = stream["name"] as? String, let state = stream["state"] as? [String: Any] else { continue }
                let number = { (key: String) in (state[key] as? NSNumber)?.uint64Value ?? 0 }
                states[name] = ReplicaState(messages: number("messages"), bytes: number("bytes"),
                                            firstSequence: number("first_seq"), lastSequence: number("last_seq"))
            }
        }
        return states
    }

    /// Streams whose copies still differ between the nodes after `settle`: each with every node's copy.
    /// Identical copies are what a replicated log promises. Copies that agree end the wait at once, so the
    /// settle is only a generous guard for a follower still catching up on a slow machine, not a threshold.
    func divergentStreams(_ names: [String], settle: Duration = .seconds(120)) async throws -> [String: [String]] {
        let clock = ContinuousClock()
        let deadline = clock.now + settle
        var differing: [String: [String]] = [:]
        repeat {
            differing = [:]
            var copies: [[String: ReplicaState]?] = []
            for index in 0..<Self.size { copies.append(await replicaStates(index)) }
            for name in names {
                let states = copies.map { $0?[name] }
                if Set(states.map { $0?.description ?? "none" }).count > 1 {
                    differing[name] = states.enumerated().map { "n\($0.offset): \($0.element?.description ?? "none")" }
                }
            }
            if differing.isEmpty { return [:] }
            try await clock.sleep(for: .milliseconds(500))
        } while clock.now < deadline
        return differing
    }
}
