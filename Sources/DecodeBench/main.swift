import Columnstore
import IngestFacts

// `projection-decode-bench [facts] [rounds]`: decode + map of orders-analytics facts shaped like the
// bench corpus (4 orders, then a refund of the last), in memory. Deliberately synchronous and free of
// ArgumentParser, NATS and the stores, so it runs under `valgrind --tool=callgrind` (the async bench
// binary crashes valgrind 3.19), whose instruction counts compare implementations on a loaded host.
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let factCount = max(arguments.first ?? 20_000, 1)
let rounds = max(arguments.dropFirst().first ?? 1, 1)

func body(_ index: Int) -> [UInt8] {
    let order = index - index % 5
    let day = 1 + order % 28
    let at = "2026-03-\(day < 10 ? "0" : "")\(day)T\(10 + order % 12):\(10 + order % 50):\(10 + order % 50)Z"
    let cents = 100 + (order &* 7919) % 100_000
    let envelope: String
    if index % 5 == 4 {
        envelope = #"{"specversion":"1.0","id":"refund-\#(order)","source":"/bench","type":"orders.order_refunded.v1","time":"\#(at)","datacontenttype":"application/json","tenantid":"t\#(order % 10 + 1)","data":{"refund_id":"r-\#(order)","order_id":"o-\#(order)","amount_cents":\#(cents / 2),"refunded_at":"\#(at)"}}"#
    } else {
        envelope = #"{"specversion":"1.0","id":"placed-\#(index)","source":"/bench","type":"orders.order_placed.v1","time":"\#(at)","datacontenttype":"application/json","tenantid":"t\#(index % 10 + 1)","data":{"order_id":"o-\#(index)","customer_id":"c-\#(index % 500)","amount_cents":\#(cents),"currency":"EUR","placed_at":"\#(at)"}}"#
    }
    return Array(envelope.utf8)
}

let bodies = (0..<factCount).map(body)
let decoder = FactDecoder(maxFactBytes: 1 << 20)
let mapper = FactMapper(schema: .ordersAnalytics)
var rows = 0
var rejected = 0
let clock = ContinuousClock()
let start = clock.now
for _ in 0..<rounds {
    for (index, body) in bodies.enumerated() {
        do throws(FactRejection) {
            let fact = try decoder.decode(body: body) { _ in nil }
            rows += try mapper.map(fact, sequence: UInt64(index + 1), subject: "bench")?.rows.count ?? 0
        } catch {
            rejected += 1
        }
    }
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let decoded = factCount * rounds
print(#"{"facts":\#(decoded),"rows":\#(rows),"rejected":\#(rejected),"microseconds_per_fact":\#(seconds * 1e6 / Double(decoded))}"#)
