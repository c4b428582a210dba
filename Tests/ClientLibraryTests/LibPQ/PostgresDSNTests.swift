import Testing
@testable import LibPQ

@Suite("PostgresDSN redaction")
struct PostgresDSNTests {
    @Test func masksURIPassword() {
        #expect(
            PostgresDSN.redacted("postgresql://projection:s3cret@127.0.0.1:5432/projection")
                == "postgresql://projection:***@127.0.0.1:5432/projection"
        )
        #expect(PostgresDSN.redacted("postgres://u:p%40ss@h/db?sslmode=disable") == "postgres://u:***@h/db?sslmode=disable")
    }

    @Test func leavesURIWithoutPasswordAlone() {
        let dsn = "postgresql://projection@127.0.0.1:5432/projection?application_name=x"
        #expect(PostgresDSN.redacted(dsn) == dsn)
        #expect(PostgresDSN.redacted("postgresql://127.0.0.1:5432/db") == "postgresql://127.0.0.1:5432/db")
    }

    @Test func masksPasswordWithAtSignConservatively() {
        let redacted = PostgresDSN.redacted("postgresql://u:pa@ss@h/db")
        #expect(!redacted.contains("pa@ss") && !redacted.contains("pa"))
        #expect(redacted.hasSuffix("@h/db"))
    }

    @Test func masksURIQueryPassword() {
        #expect(
            PostgresDSN.redacted("postgresql://h/db?user=u&password=topsecret&sslmode=require")
                == "postgresql://h/db?user=u&password=***&sslmode=require"
        )
    }

    @Test func masksKeyValuePassword() {
        #expect(
            PostgresDSN.redacted("host=127.0.0.1 user=projection password=s3cret dbname=projection")
                == "host=127.0.0.1 user=projection password=*** dbname=projection"
        )
        #expect(PostgresDSN.redacted("password = s3cret host=h") == "password = *** host=h")
        #expect(PostgresDSN.redacted("PASSWORD=abc&def host=h") == "PASSWORD=*** host=h")
    }

    @Test func masksQuotedKeyValuePassword() {
        let dsn = #"host=h password='it\'s a secret' user=u"#
        #expect(PostgresDSN.redacted(dsn) == "host=h password=*** user=u")
        #expect(PostgresDSN.redacted("password='unterminated secret") == "password=***")
    }

    @Test func ignoresWordsThatOnlyEndInPassword() {
        let text = "mypassword=fine, no password here"
        #expect(PostgresDSN.redacted(text) == text)
    }

    @Test func masksInsideFreeText() {
        let text = "could not connect to postgresql://a:b1@host/db: refused"
        #expect(PostgresDSN.redacted(text) == "could not connect to postgresql://a:***@host/db: refused")
    }

    @Test func scrubsTheLiteralSecret() {
        #expect(PostgresDSN.scrubbed("echo hunter2 back", secret: "hunter2") == "echo *** back")
        #expect(PostgresDSN.scrubbed("nothing", secret: nil) == "nothing")
    }

    @Test func libpqParsesThePasswordOfBothSyntaxes() {
        #expect(PostgresConnection.password(in: "postgresql://u:p%40ss@h/db") == "p@ss")
        #expect(PostgresConnection.password(in: "host=h password='a b' user=u") == "a b")
        #expect(PostgresConnection.password(in: "host=h user=u") == nil)
    }

    @Test func errorDescriptionNeverShowsADSNPassword() {
        let error = PostgresError(code: .connectionFailed, message: "failed for postgresql://u:hunter2@h/db")
        #expect(!error.description.contains("hunter2"))
        #expect(error.description.contains("connectionFailed"))
    }
}
