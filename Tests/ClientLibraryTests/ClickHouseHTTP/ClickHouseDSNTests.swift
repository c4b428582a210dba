import Testing
@testable import ClickHouseHTTP

@Suite("ClickHouseDSN")
struct ClickHouseDSNTests {
    @Test func parsesAllParts() throws {
        let dsn = try ClickHouseDSN(parsing: "https://alice:s3cr%40t%2F@ch.example:9443/analytics?max_threads=2&async_insert=1")
        #expect(dsn.scheme == "https")
        #expect(dsn.host == "ch.example")
        #expect(dsn.port == 9443)
        #expect(dsn.user == "alice")
        #expect(dsn.password == "s3cr@t/")
        #expect(dsn.database == "analytics")
        #expect(dsn.settings == ["max_threads": "2", "async_insert": "1"])
        #expect(dsn.baseURL == "https://ch.example:9443/")
    }

    @Test func appliesDefaults() throws {
        let dsn = try ClickHouseDSN(parsing: "http://localhost")
        #expect(dsn.user == "default")
        #expect(dsn.password == "")
        #expect(dsn.database == "default")
        #expect(dsn.port == 8123)
        #expect(try ClickHouseDSN(parsing: "https://localhost/").port == 8443)
    }

    @Test func percentDecodesUserAndDatabase() throws {
        let dsn = try ClickHouseDSN(parsing: "http://us%20er@localhost:8123/my%2Ddb")
        #expect(dsn.user == "us er")
        #expect(dsn.database == "my-db")
    }

    @Test func redactionHidesThePassword() throws {
        let dsn = try ClickHouseDSN(parsing: "http://projection:hunter2secret@127.0.0.1:8123/projection")
        #expect(dsn.redacted == "http://projection:***@127.0.0.1:8123/projection")
        #expect(!"\(dsn)".contains("hunter2secret"))
        #expect(!String(reflecting: dsn).contains("hunter2secret"))
        var dumped = ""
        dump(dsn, to: &dumped)
        #expect(!dumped.contains("hunter2secret"))
    }

    @Test(arguments: ["postgres://u:p@h/db", "not a url", "http:///db", "http://h:8123/a/b"])
    func rejectsInvalidDSNs(text: String) {
        #expect {
            _ = try ClickHouseDSN(parsing: text)
        } throws: { error in
            (error as? ClickHouseError)?.code == .invalidDSN
        }
    }

    @Test func invalidDSNErrorDoesNotEchoThePassword() {
        do {
            _ = try ClickHouseDSN(parsing: "ftp://u:topsecretpw@h/db")
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains("topsecretpw"))
        }
    }
}
