import Foundation
import Testing
@testable import ClickHouseHTTP

@Suite("ClickHouse request encoding")
struct RequestEncodingTests {
    @Test func percentEncodingKeepsOnlyUnreservedCharacters() {
        #expect(ClickHouseClient.percentEncode("a-b_c.d~e") == "a-b_c.d~e")
        #expect(ClickHouseClient.percentEncode("x'; DROP TABLE t; --") == "x%27%3B%20DROP%20TABLE%20t%3B%20--")
        #expect(ClickHouseClient.percentEncode("a+b&c=d/é") == "a%2Bb%26c%3Dd%2F%C3%A9")
    }

    @Test func identifiersAreBacktickQuoted() {
        #expect(ClickHouseClient.quoteIdentifier("events") == "`events`")
        #expect(ClickHouseClient.quoteIdentifier("we`ird\\") == "`we\\`ird\\\\`")
    }

    @Test func credentialsGoInHeadersOnly() throws {
        let client = try ClickHouseClient(dsn: "http://bob:pa%0D%0Ass@localhost:8123/db")
        #expect(client.authHeaders == ["X-ClickHouse-User: bob", "X-ClickHouse-Key: pass"])
        let anonymous = try ClickHouseClient(dsn: "http://localhost:8123/db")
        #expect(anonymous.authHeaders == ["X-ClickHouse-User: default"])
    }

    @Test func configurationDefaults() {
        let configuration = ClickHouseClient.Configuration()
        #expect(configuration.connectTimeout == .seconds(5))
        #expect(configuration.requestTimeout == .seconds(30))
        #expect(configuration.poolSize == 4)
        #expect(configuration.compressRequestBody)
        #expect(configuration.acceptCompressedResponse)
        #expect(Duration.milliseconds(1500).wholeMilliseconds == 1500)
        #expect(Duration.nanoseconds(1).wholeMilliseconds == 1)
    }
}
