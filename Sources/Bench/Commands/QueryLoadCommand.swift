import ArgumentParser
import Foundation

/// Latency (p50/p99) and requests/s of each orders-analytics query, through the query API or
/// straight to the store with the same SQL, over the backlog of the drain scenario.
struct QueryLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query-load", abstract: "Query latency and throughput, api or direct.")

    @OptionGroup var target: QueryTargetOptions
    @OptionGroup var corpus: CorpusOptions

    @Option(help: "Measured requests per method.")
    var requests: Int = 500

    @Option(help: "Concurrent connections.")
    var concurrency: Int = 1

    @Option(help: "Unmeasured requests per method first (connections, caches).")
    var warmup: Int = 20

    @Option(help: "Comma-separated methods to run (default: every method of the mix).")
    var methods: String?

    func run() async throws {
        let mix = QueryMix(generator: corpus.generator, facts: corpus.facts)
        let catalog = try target.loadCatalog()
        var transports: [QueryTransport] = []
        for _ in 0..<max(1, concurrency) { transports.append(try await target.connect(catalog: catalog)) }
        defer { transports.forEach { $0.close() } }

        let chosen = self.methods.map { $0.split(separator: ",").map(String.init) } ?? QueryMix.methods
        if let unknown = chosen.first(where: { !QueryMix.methods.contains($0) }) {
            throw ValidationError("unknown method \(unknown); the mix has \(QueryMix.methods.joined(separator: ", "))")
        }
        var methods: [String: Any] = [:]
        for method in chosen {
            for i in 0..<warmup { _ = try await transports[i % transports.count].send(mix.request(method, index: 1_000_000 + i)) }
            let requests = self.requests, workers = transports.count
            let start = ContinuousClock.now
            let results = try await withThrowingTaskGroup(of: (LatencySample, Int).self) { group in
                for (worker, transport) in transports.enumerated() {
                    group.addTask { [mix] in
                        var sample = LatencySample()
                        var found = 0
                        var index = worker
                        while index < requests {
                            let request = mix.request(method, index: index)
                            let sent = ContinuousClock.now
                            let body = try await transport.send(request)
                            sample.add((ContinuousClock.now - sent).seconds * 1000)
                            if Self.answers(request, body) { found += 1 }
                            index += workers
                        }
                        return (sample, found)
                    }
                }
                var all = LatencySample()
                var found = 0
                for try await (sample, f) in group {
                    all.add(contentsOf: sample)
                    found += f
                }
                return (all, found)
            }
            let seconds = (ContinuousClock.now - start).seconds
            var fields = results.0.summary
            fields["requests_per_second"] = Double(results.0.count) / seconds
            fields["answered"] = results.1
            methods[method] = fields
            FileHandle.standardError.write(Data(String(format: "[query %@] %@ p50 %.2f ms p99 %.2f ms %.0f req/s\n",
                target.label, method, results.0.percentile(50) ?? 0, results.0.percentile(99) ?? 0, Double(results.0.count) / seconds).utf8))
        }
        try ResultOutput.emit(["mode": target.label, "concurrency": concurrency, "requests_per_method": requests, "methods": methods])
    }

    /// Whether the body is a real answer: GetOrder names the order; the others return rows.
    static func answers(_ request: QueryRequest, _ body: [UInt8]) -> Bool {
        if request.method == "GetOrder", case .string(let id)? = request.fields.first?.1 {
            // JSON quotes the id; protobuf holds it length-prefixed after its tag.
            return HTTPConnection.find(Array("\"\(id)\"".utf8), in: body, from: 0) != nil
                || HTTPConnection.find([UInt8(id.utf8.count)] + Array(id.utf8), in: body, from: 0) != nil
                || HTTPConnection.find(Array("\(id)\t".utf8), in: body, from: 0) != nil
        }
        let marker = request.method == "GetTopCustomers" ? "c-" : "2026-03"
        return HTTPConnection.find(Array(marker.utf8), in: body, from: 0) != nil
    }
}
