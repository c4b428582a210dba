import ClickHouseBackend
import Columnstore
import IngestFacts
import PostgresBackend

// `projection-decode-bench [facts] [rounds] [none|clickhouse|postgres]`: decode + map of orders-analytics
// facts shaped like the bench corpus (4 orders, then a refund of the last), in memory; with a store named,
// also what that store's batch write encodes (seen keys, rows folded per key, the tables' wire format) in
// batches of 5,000 facts, by the stores' own encoders. Deliberately synchronous and free of ArgumentParser,
// NATS and connections, so it runs under `valgrind --tool=callgrind` (the async bench binary crashes
// valgrind 3.19), whose instruction counts compare implementations on a loaded host.
let arguments = CommandLine.arguments.dropFirst()
let numbers = arguments.compactMap { Int($0) }
let factCount = max(numbers.first ?? 20_000, 1)
let rounds = max(numbers.dropFirst().first ?? 1, 1)
let encoding = arguments.first { Int($0) == nil } ?? "none"
guard ["none", "clickhouse", "postgres"].contains(encoding) else {
    fatalError("usage: projection-decode-bench [facts] [rounds] [none|clickhouse|postgres]")
}
/// The ingest's default batch (PROJECTION_BATCH_MAX_FACTS).
let batchFacts = 5_000

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
let schema = ProjectionSchema.ordersAnalytics
let decoder = FactDecoder(maxFactBytes: 1 << 20)
let mapper = FactMapper(schema: schema)
let consumer = ConsumerID(projection: schema.name, consumer: "bench")
var rows = 0
var rejected = 0
var encodedBytes = 0
var batch: [MappedFact] = []
batch.reserveCapacity(batchFacts)

/// What the store's batch write encodes before its round trips (ClickHouseProjectionStore.insertRows,
/// PostgresProjectionStore.commit), every fact taken as new.
@MainActor func encode(_ facts: [MappedFact]) {
    guard encoding != "none", let first = facts.first, let last = facts.last else { return }
    let payload = BatchPayload(consumer: consumer, range: SequenceRange(first: first.sequence, last: last.sequence), facts: facts, quarantined: [])
    let (kept, _) = payload.withoutInBatchDuplicates()
    var accumulator = RowAccumulator(schema: schema)
    do {
        for fact in kept { try accumulator.add(fact) }
        if encoding == "clickhouse" {
            encodedBytes += ClickHouseProjectionStore.seenKeysRowBinary(
                kept, projection: consumer.projection, seenAtMillis: 0,
                batch: "\(consumer.consumer)/p\(consumer.partition)/\(payload.range.first)-\(payload.range.last)", partition: consumer.partition).count
            for (table, index, _) in accumulator.rowsByTable {
                for (tableRows, _) in accumulator.segments(table: index).segments where !tableRows.isEmpty {
                    encodedBytes += try ClickHouseProjectionStore.rowBinary(tableRows, of: table).count
                }
            }
        } else {
            encodedBytes += PostgresProjectionStore.seenKeyArrays(kept).reduce(0) { $0 + $1.utf8.count }
            for (table, index, _) in accumulator.rowsByTable {
                let (columns, segments) = accumulator.segments(table: index)
                for (tableRows, excursions) in segments where !tableRows.isEmpty {
                    encodedBytes += PostgresProjectionStore.upsertArrays(tableRows, of: table).reduce(0) { $0 + $1.utf8.count }
                    // The running-total check's statement, when a key went beyond its net (none in this mix).
                    if let check = PostgresProjectionStore.excursionCheck(table, rows: tableRows, excursions: (columns, excursions)) {
                        encodedBytes += check.sql.utf8.count
                    }
                }
            }
        }
    } catch {
        rejected += facts.count
    }
}

let clock = ContinuousClock()
let start = clock.now
for _ in 0..<rounds {
    for (index, body) in bodies.enumerated() {
        do throws(FactRejection) {
            let fact = try decoder.decode(body: body) { _ in nil }
            if let mapped = try mapper.map(fact, sequence: UInt64(index + 1), subject: "bench") {
                rows += mapped.rows.count
                if encoding != "none" {
                    batch.append(mapped)
                    if batch.count == batchFacts {
                        encode(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            }
        } catch {
            rejected += 1
        }
    }
    // A round is a stream of its own: its batches never hold an earlier round's facts.
    encode(batch)
    batch.removeAll(keepingCapacity: true)
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let decoded = factCount * rounds
print(#"{"facts":\#(decoded),"rows":\#(rows),"rejected":\#(rejected),"encoding":"\#(encoding)","encoded_bytes":\#(encodedBytes),"microseconds_per_fact":\#(seconds * 1e6 / Double(decoded))}"#)
