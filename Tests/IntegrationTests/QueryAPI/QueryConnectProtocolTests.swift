import Columnstore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
@testable import QueryAPI
import Testing

/// The Connect protocol through the real router, over a gated stub store (no timing in any
/// verdict): client deadlines, GET only for side-effect-free methods, the binary codec end to end.
/// The official client against real stores is Tests/ConnectClientTests (pytest).
@Suite("Query API Connect protocol", .serialized)
struct QueryConnectProtocolTests {
    static let service = ProjectionSchema.ordersAnalytics.queryService!

    func withRouter<T: Sendable>(
        _ executor: GatedExecutor, service: QueryServiceSchema = service, maxConcurrency: Int = 16,
        _ body: @Sendable (QueryAPICaller) async throws -> T
    ) async throws -> T {
        var configuration = QueryConfiguration(storeKind: .postgres, storeDSN: "postgresql://unused@127.0.0.1/none", sqlDirectory: QueryStoreFixture.sqlDirectory)
        configuration.maxConcurrency = maxConcurrency
        let (router, logger) = try executor.router(service: service, configuration: configuration)
        return try await Application(router: router, logger: logger).test(.router) { client in
            try await body(QueryAPICaller(client: client))
        }
    }

    @Test("a client deadline shorter than the store's answer is deadline_exceeded; the store query has ended and its slot is free")
    func clientDeadline() async throws {
        let executor = GatedExecutor()
        try await withRouter(executor, maxConcurrency: 1) { api in
            // The gate is closed, so the store cannot answer before the deadline, however fast the machine.
            let answer = try await api.call("GetOrder", body: #"{"orderId":"o1"}"#, headers: [("connect-timeout-ms", "1000")])
            #expect(answer.status == 504 && answer.code == "deadline_exceeded", "\(answer.text)")
            #expect(answer.message.contains("Connect-Timeout-Ms"))
            // The deadline travelled down: the query ended before the answer, nothing runs on behind it.
            #expect(executor.queriesRunning == 0)
            // So the only slot is free at once: the next request reaches the store (and meets its own deadline)
            // instead of being turned away with resource_exhausted.
            let next = try await api.call("GetOrder", body: #"{"orderId":"o1"}"#, headers: [("connect-timeout-ms", "1000")])
            #expect(next.status == 504 && next.code == "deadline_exceeded", "\(next.text)")
            executor.openGate()
            let after = try await api.call("GetOrder", body: #"{"orderId":"o1"}"#, headers: [("connect-timeout-ms", "600000")])
            #expect(after.status == 404 && after.code == "not_found", "\(after.text)")
        }
    }

    @Test("GET only for NO_SIDE_EFFECTS methods: otherwise 405 with Allow: POST")
    func getNeedsNoSideEffects() async throws {
        var service = Self.service
        service.methods[2].hasNoSideEffects = false  // GetOrder
        let executor = GatedExecutor()
        executor.openGate()
        try await withRouter(executor, service: service) { api in
            let get = try await api.call("GetOrder", httpMethod: .get, query: "connect=v1&encoding=json&message=%7B%22orderId%22%3A%22o1%22%7D")
            #expect(get.status == 405 && get.code == "unimplemented", "\(get.text)")
            let plain = try await api.call("GetOrder", httpMethod: .get, query: "order_id=o1")
            #expect(plain.status == 405)
            #expect(try await api.call("GetOrder", body: #"{"orderId":"o1"}"#).status == 404)
            #expect(try await api.call("GetDailySales", httpMethod: .get, query: "from_day=2026-11-01&to_day=2026-11-02").status == 200)
        }
    }

    @Test("binary protobuf in, binary protobuf out; errors stay JSON")
    func binaryCodec() async throws {
        let row: [String: ColumnValue] = ["order_id": .string("o1"), "customer_id": .string("c1"), "amount_cents": .int64(-5),
                                          "currency": .string("EUR"), "placed_at": .timestamp(1_762_000_000_123), "version": .uint64(7)]
        let executor = GatedExecutor(rows: [row])
        executor.openGate()
        try await withRouter(executor) { api in
            var request = ProtoWireWriter()
            request.writeLengthDelimited(1, "o1".utf8)
            let answer = try await api.client.execute(
                uri: "\(QueryAPITestServer.servicePath)/GetOrder", method: .post,
                headers: [.contentType: "application/proto", HTTPField.Name("x-tenant-id")!: "acme"],
                body: ByteBuffer(bytes: request.bytes))
            #expect(answer.status == .ok)
            #expect(answer.headers[.contentType] == "application/proto")
            // The response's field 1 holds the Order; it parses back to the JSON answer's values.
            var reader = ProtoWireReader(Array(answer.body.readableBytesView))
            let tag = try reader.readTag()
            #expect(tag.number == 1 && tag.wireType == .lengthDelimited)
            let order = Self.service.methods[2]
            let rowMethod = QueryMethodSchema(name: "Row", sqlName: "row", requestMessage: order.rowMessage, requestFields: order.rowFields,
                                              responseMessage: order.rowMessage, response: .message, rowMessage: order.rowMessage, rowFields: order.rowFields)
            let json = try ProtoRequestDecoder.json(Array(try reader.readLengthDelimited()), method: rowMethod)
            #expect(JSONWriter.write(json) == #"{"order_id":"o1","customer_id":"c1","amount_cents":"-5","currency":"EUR","placed_at":"2025-11-01T12:26:40.123Z","version":"7"}"#)

            let bad = try await api.client.execute(
                uri: "\(QueryAPITestServer.servicePath)/GetOrder", method: .post,
                headers: [.contentType: "application/proto", HTTPField.Name("x-tenant-id")!: "acme"],
                body: ByteBuffer(bytes: [0x0A, 0x09]))
            #expect(bad.status == .badRequest && bad.headers[.contentType] == "application/json")
        }
    }
}
