import ClickHouseHTTP
import Columnstore
import Foundation
import IngestTestKit
@testable import QueryAPI
import Testing

/// Connect's unary request options, GET form and gzip, without I/O.
@Suite("Connect unary protocol")
struct ConnectProtocolTests {
    func options(_ headers: [String: [String]]) throws(ConnectError) -> ConnectRequestOptions {
        try ConnectRequestOptions.post { headers[$0] ?? [] }
    }

    func failure(_ headers: [String: [String]]) -> ConnectError? {
        do { _ = try options(headers); return nil } catch { return error }
    }

    @Test("codecs from Content-Type; absent is JSON; others are HTTP 415 naming the supported ones")
    func codecs() throws {
        #expect(try options([:]).codec == .json)
        #expect(try options(["content-type": ["application/json"]]).codec == .json)
        #expect(try options(["content-type": ["Application/JSON; charset=utf-8"]]).codec == .json)
        #expect(try options(["content-type": ["application/proto"]]).codec == .proto)
        for bad in ["application/xml", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/protobuf",
                    "application/connect+proto", "text/plain"] {
            let error = failure(["content-type": [bad]])
            #expect(error?.httpStatus == 415, "\(bad)")
            #expect(error?.headers.first { $0.name == "Accept-Post" }?.value == "application/json, application/proto")
        }
    }

    @Test("Content-Encoding: identity and gzip; others are unimplemented naming the supported ones")
    func encodings() throws {
        #expect(try options(["content-encoding": ["gzip"]]).requestCompression == .gzip)
        #expect(try options(["content-encoding": ["identity"]]).requestCompression == .identity)
        #expect(try options([:]).requestCompression == .identity)
        for bad in ["br", "zstd", "deflate", "gzip, br"] {
            let error = failure(["content-encoding": [bad]])
            #expect(error?.code == .unimplemented && error?.httpStatus == 501, "\(bad)")
            #expect(error?.message.contains("gzip, identity") == true)
            #expect(error?.headers.first { $0.name == "Accept-Encoding" }?.value == "gzip, identity")
        }
    }

    @Test("Accept-Encoding negotiates gzip unless refused with q=0")
    func acceptEncoding() {
        #expect(ConnectCompression.negotiate(acceptEncoding: ["gzip"]) == .gzip)
        #expect(ConnectCompression.negotiate(acceptEncoding: ["br, gzip;q=0.5"]) == .gzip)
        #expect(ConnectCompression.negotiate(acceptEncoding: ["zstd", "*"]) == .gzip)
        #expect(ConnectCompression.negotiate(acceptEncoding: ["gzip;q=0"]) == .identity)
        #expect(ConnectCompression.negotiate(acceptEncoding: ["br, zstd"]) == .identity)
        #expect(ConnectCompression.negotiate(acceptEncoding: []) == .identity)
        // An explicit refusal wins over `*`, in either order and across header lines.
        #expect(ConnectCompression.negotiate(acceptEncoding: ["gzip;q=0, *"]) == .identity)
        #expect(ConnectCompression.negotiate(acceptEncoding: ["*", "gzip; q=0.000"]) == .identity)
        #expect(ConnectCompression.negotiate(acceptEncoding: ["*;q=0, gzip"]) == .gzip)
        #expect(ConnectCompression.negotiate(acceptEncoding: ["*;q=0"]) == .identity)
    }

    @Test("Accept-Encoding over generated headers: gzip iff gzip is listed and accepted, or unlisted and `*` accepted")
    func acceptEncodingGenerated() {
        let items: [(text: String, name: String, accepted: Bool)] = [
            ("gzip", "gzip", true), ("GZIP;q=0.5", "gzip", true), ("gzip;q=0", "gzip", false), ("gzip ; q=0.0", "gzip", false),
            ("gzip;q=0.001", "gzip", true), ("*", "*", true), ("*;q=0", "*", false), ("*;q=1", "*", true),
            ("br", "br", true), ("identity;q=0", "identity", false), ("zstd;q=0", "zstd", false),
        ]
        var rng = SplitMix64(seed: 20_261_206)
        var outcomes: [ConnectCompression: Int] = [:]
        for _ in 0..<2_000 {
            let chosen = (0..<Int.random(in: 0...4, using: &rng)).map { _ in items.randomElement(using: &rng)! }
            // Split the list over one to three header lines.
            var lines: [[String]] = [[]]
            for item in chosen {
                if Bool.random(using: &rng), lines.count < 3 { lines.append([]) }
                lines[lines.count - 1].append(item.text)
            }
            let gzip = chosen.filter { $0.name == "gzip" }, star = chosen.filter { $0.name == "*" }
            let expected: Bool = gzip.isEmpty ? (!star.isEmpty && star.allSatisfy(\.accepted)) : gzip.allSatisfy(\.accepted)
            let negotiated = ConnectCompression.negotiate(acceptEncoding: lines.map { $0.joined(separator: ", ") })
            #expect(negotiated == (expected ? .gzip : .identity), "\(lines)")
            outcomes[negotiated, default: 0] += 1
        }
        #expect(outcomes[.gzip, default: 0] > 200 && outcomes[.identity, default: 0] > 200, "\(outcomes)")
    }

    @Test("Connect-Timeout-Ms: 1 to 10 digits, else invalid_argument; Connect-Protocol-Version must be 1 when given")
    func headers() throws {
        #expect(try options(["connect-timeout-ms": ["250"]]).timeout == .milliseconds(250))
        #expect(try options(["connect-timeout-ms": ["9999999999"]]).timeout == .milliseconds(9_999_999_999))
        #expect(try options([:]).timeout == nil)
        for bad in ["", "-1", "1.5", "12345678901", "1e3", " 5", "abc"] {
            #expect(failure(["connect-timeout-ms": [bad]])?.code == .invalidArgument, "\(bad)")
        }
        #expect(failure(["connect-timeout-ms": ["1", "2"]])?.code == .invalidArgument)
        // Two codecs: this server and a proxy could each read another one.
        #expect(failure(["content-type": ["application/proto", "application/json"]])?.code == .invalidArgument)
        #expect(try options(["connect-protocol-version": ["1"]]).codec == .json)
        #expect(failure(["connect-protocol-version": ["2"]])?.code == .invalidArgument)
    }

    @Test("GET form: encoding, base64 (URL-safe, padding optional), compression, connect=v1")
    func getForm() throws {
        let json = try ConnectGetRequest.parse(query: "connect=v1&encoding=json&message=%7B%22a%22%3A1%7D")
        #expect(json == ConnectGetRequest(codec: .json, compression: .identity, message: Array(#"{"a":1}"#.utf8)))
        // 0xFB 0xFF → "-_8" in URL-safe base64 without padding.
        let proto = try ConnectGetRequest.parse(query: "encoding=proto&base64=1&message=-_8")
        #expect(proto.codec == .proto && proto.message == [0xFB, 0xFF])
        #expect(try ConnectGetRequest.parse(query: "encoding=proto&base64=1&message=%2B%2F8%3D").message == [0xFB, 0xFF])
        #expect(try ConnectGetRequest.parse(query: "encoding=proto&message=%FB%FF").message == [0xFB, 0xFF])
        #expect(try ConnectGetRequest.parse(query: "encoding=json&compression=gzip&base64=1&message=").compression == .gzip)
        #expect(try ConnectGetRequest.parse(query: "encoding=json&cachebust=1").message == [])

        func failure(_ query: String) -> ConnectError? {
            do { _ = try ConnectGetRequest.parse(query: query); return nil } catch { return error }
        }
        #expect(failure("encoding=xml&message=x")?.httpStatus == 415)
        #expect(failure("encoding=json&compression=br&message=x")?.code == .unimplemented)
        #expect(failure("message=x")?.code == .invalidArgument)
        #expect(failure("connect=v2&encoding=json&message=x")?.code == .invalidArgument)
        // Only base64=1 means base64: other values are ignored (the spec's rule), the message is taken as it is.
        for value in ["2", "0", "", "true", "yes", "%00"] {
            #expect(try ConnectGetRequest.parse(query: "encoding=json&base64=\(value)&message=%7B%7D").message == Array("{}".utf8), "\(value)")
        }
        #expect(failure("encoding=json&base64=1&message=a")?.code == .invalidArgument)
        #expect(failure("encoding=json&encoding=json")?.code == .invalidArgument)
        #expect(failure("encoding=json&message=%ZZ")?.code == .invalidArgument)
        #expect(ConnectGetRequest.isConnectForm(query: "encoding=json"))
        #expect(!ConnectGetRequest.isConnectForm(query: "from_day=2026-01-01&connect=v1"))
    }

    @Test("gzip: round trip; the inflated size is bounded (a gzip bomb stops at the limit); corrupt data is refused")
    func gzip() throws {
        let message = Array(String(repeating: "projection ", count: 500).utf8)
        let compressed = try #require(Gzip.compress(message))
        #expect(compressed.count < message.count / 10)
        #expect(try ConnectCompression.gzip.decompress(compressed, maxBytes: message.count) == message)
        // 64 MiB of zeros compress to ~64 KiB; inflating stops at the limit without allocating more.
        let bomb = try #require(Gzip.compress([UInt8](repeating: 0, count: 64 << 20)))
        do {
            _ = try ConnectCompression.gzip.decompress(bomb, maxBytes: 65_536)
            Issue.record("a bomb must be refused")
        } catch {
            #expect(error.code == .resourceExhausted)
        }
        #expect(throws: ConnectError.self) { try ConnectCompression.gzip.decompress(Array("not gzip".utf8), maxBytes: 100) }
        #expect(try ConnectCompression.gzip.decompress([], maxBytes: 100) == [])
        // Responses: compressed only when accepted and large enough.
        #expect(ConnectCompression.gzip.compress(message).compressed)
        #expect(!ConnectCompression.gzip.compress(Array("small".utf8)).compressed)
        #expect(!ConnectCompression.identity.compress(message).compressed)
    }
}
