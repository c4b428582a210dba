import ArgumentParser
import Foundation

/// The HTTP push ingress under load (`POST /events` of a `projection-ingest` with PROJECTION_INGRESS on):
/// - `single`: one connection, one structured event per request, back to back → events/s;
/// - `batch`: one connection, `--batch-size` events per batch request → events/s;
/// - `freshness`: `--rate` events/s in 10 ms ticks (one batch request per tick), a probe order every
///   `--probe-interval-ms`; latency = visible through `GetOrder` − the instant before its POST was sent.
/// Every answer must be 2xx (each one means the events are in the stream); anything else fails the run.
struct IngressLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingress-load", abstract: "Throughput and POST→visible latency of the HTTP ingress.")

    @OptionGroup var target: QueryTargetOptions

    @Option(help: "single, batch or freshness.")
    var scenario: String = "single"

    @Option(help: "Port of projection-ingest on 127.0.0.1.")
    var ingestPort: UInt16 = 8081

    @Option(help: "Events to send (single, batch).")
    var events: Int = 10_000

    @Option(help: "Events per batch request (batch).")
    var batchSize: Int = 500

    @Option(help: "Events per second (freshness).")
    var rate: Int = 1_000

    @Option(help: "Seconds to send for (freshness).")
    var duration: Double = 10

    @Option(help: "Milliseconds between probes (freshness).")
    var probeIntervalMs: Int = 100

    @Option(help: "Seconds to wait for the last probes (freshness).")
    var settle: Double = 30

    @Option(help: "Unique tag for this run's event and order ids.")
    var tag: String

    @Option(help: "Tenant of the events (the token must grant it).")
    var tenant: String = "ingress"

    func run() async throws {
        // The token comes from the environment, never the command line (other users can read that).
        guard let token = ProcessInfo.processInfo.environment["INGRESS_TOKEN"] else {
            throw BenchError(.invalidArgument, operation: "ingress-load", "set INGRESS_TOKEN")
        }
        let connection = HTTPConnection(port: ingestPort)
        let single = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/cloudevents+json")]
        let batched = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/cloudevents-batch+json")]
        let clock = ContinuousClock()
        switch scenario {
        case "single", "batch":
            let size = scenario == "single" ? 1 : batchSize
            let cpuBefore = Self.processCPUSeconds()
            let start = clock.now
            var sent = 0
            var latencies = LatencySample()
            while sent < events {
                let n = min(size, events - sent)
                let bodies = (sent..<(sent + n)).map { fact($0, id: "i-\(tag)-\($0)").body }
                let body = size == 1 ? bodies[0] : Array("[".utf8) + Array(bodies.joined(separator: Array(",".utf8))) + Array("]".utf8)
                let t0 = clock.now
                let response = try await connection.send(path: "/events", headers: size == 1 ? single : batched, body: body)
                latencies.add((clock.now - t0).seconds * 1000)
                try check(response)
                sent += n
            }
            let seconds = (clock.now - start).seconds
            // The client's own CPU, so a reader can tell whether the client bounded the number.
            let clientCPU = Self.processCPUSeconds() - cpuBefore
            FileHandle.standardError.write(Data(String(format: "[ingress %@] %d events in %.2fs: %.0f events/s, request p50 %.2f ms, client CPU %.1f µs/event\n",
                                                       scenario, sent, seconds, Double(sent) / seconds, latencies.percentile(50) ?? -1,
                                                       clientCPU / Double(max(sent, 1)) * 1e6).utf8))
            try ResultOutput.emit(["scenario": scenario, "events": sent, "batch_size": size, "seconds": seconds,
                                   "events_per_second": Double(sent) / seconds, "request_ms": latencies.summary,
                                   "client_cpu_s": clientCPU, "client_cpu_us_per_event": clientCPU / Double(max(sent, 1)) * 1e6])
        case "freshness":
            let book = ProbeBook()
            let poller = try await target.connect(catalog: target.loadCatalog())
            defer { poller.close() }
            let tenant = tenant, tag = tag, settle = settle
            async let polled = Self.poll(poller, book: book, tenant: tenant, tag: tag, settle: settle)
            let start = clock.now
            var sent = 0, probes = 0
            var requestLatency = LatencySample()
            while true {
                let elapsed = (clock.now - start).seconds
                if elapsed >= duration { break }
                let due = min(Int(elapsed * Double(rate)) + 1, Int(duration * Double(rate)))
                let probeDue = Int(elapsed * 1000) / probeIntervalMs + 1
                var bodies: [[UInt8]] = []
                var probe = false
                while sent < due {
                    var f = fact(sent, id: "f-\(tag)-\(sent)")
                    if probes < probeDue && !probe {
                        f.orderID = "p-\(tag)-\(probes)"
                        f.factID = f.orderID
                        probe = true
                    }
                    bodies.append(f.body)
                    sent += 1
                }
                if !bodies.isEmpty {
                    let body = Array("[".utf8) + Array(bodies.joined(separator: Array(",".utf8))) + Array("]".utf8)
                    let t0 = clock.now
                    if probe { book.record(t0); probes += 1 }
                    try check(try await connection.send(path: "/events", headers: batched, body: body))
                    requestLatency.add((clock.now - t0).seconds * 1000)
                }
                try await clock.sleep(for: .milliseconds(10))
            }
            let achieved = Double(sent) / (clock.now - start).seconds
            book.finish()
            let (latencies, rtt, missing) = try await polled
            FileHandle.standardError.write(Data(String(format: "[ingress freshness %@ %d/s] achieved %.0f/s, p50 %.1f ms, p95 %.1f ms, %d probes, %d not seen\n",
                target.label, rate, achieved, latencies.percentile(50) ?? -1, latencies.percentile(95) ?? -1, latencies.count, missing).utf8))
            try ResultOutput.emit(["scenario": scenario, "target_rate": rate, "achieved_rate": achieved, "published": sent, "duration_s": duration,
                                   "probes": book.count, "probes_not_seen": missing, "latency": latencies.summary, "poll_rtt": rtt.summary,
                                   "request_ms": requestLatency.summary, "p95_ms": latencies.percentile(95) ?? -1])
        default:
            throw ValidationError("--scenario must be single, batch or freshness")
        }
    }

    /// User + system CPU of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private func fact(_ i: Int, id: String) -> BenchFact {
        BenchFact(kind: .placed, tenant: tenant, factID: id, orderID: id, refundID: "", customerID: "c-\(i % 100)",
                  amountCents: Int64(i % 1000), currency: "EUR", atMillis: Int64(Date().timeIntervalSince1970) * 1000)
    }

    private func check(_ response: HTTPConnection.Response) throws {
        guard (200..<300).contains(response.status) else {
            throw BenchError(.unexpectedResponse, operation: "ingress-load", "POST /events answered \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
    }

    /// Polls GetOrder for each probe in turn (as `freshness` does).
    private static func poll(_ transport: QueryTransport, book: ProbeBook, tenant: String, tag: String, settle: Double)
        async throws -> (LatencySample, LatencySample, Int)
    {
        let clock = ContinuousClock()
        var latencies = LatencySample()
        var rtt = LatencySample()
        var k = 0
        var deadline: ContinuousClock.Instant?
        while true {
            let (instant, done) = book.probe(k)
            if done && deadline == nil { deadline = clock.now + .milliseconds(Int(settle * 1000)) }
            guard let instant else {
                if done { break }
                try await clock.sleep(for: .milliseconds(1))
                continue
            }
            if let deadline, clock.now > deadline { break }
            let request = QueryRequest(method: "GetOrder", tenant: tenant, fields: [("order_id", .string("p-\(tag)-\(k)"))])
            let sent = clock.now
            let body = try await transport.send(request)
            let now = clock.now
            rtt.add((now - sent).seconds * 1000)
            if QueryLoadCommand.answers(request, body) {
                latencies.add((now - instant).seconds * 1000)
                k += 1
            } else {
                try await clock.sleep(for: .milliseconds(1))
            }
        }
        return (latencies, rtt, book.count - latencies.count)
    }
}
