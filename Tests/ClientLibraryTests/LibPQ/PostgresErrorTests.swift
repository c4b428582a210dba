import Testing
import LibPQ

@Suite("PostgresError classification")
struct PostgresErrorTests {
    @Test(arguments: ["08006", "08001", "40001", "40P01", "57P01", "53300", "53100"])
    func transientSQLStates(_ sqlState: String) {
        #expect(PostgresError(code: .server, sqlState: sqlState, message: "m").isTransient)
    }

    @Test(arguments: ["23505", "42P01", "42601", "22P02", "25P02", "28P01"])
    func permanentSQLStates(_ sqlState: String) {
        #expect(!PostgresError(code: .server, sqlState: sqlState, message: "m").isTransient)
    }

    @Test func connectionCodesAreTransient() {
        #expect(PostgresError(code: .connectionFailed, message: "refused").isTransient)
        #expect(PostgresError(code: .connectionLost, message: "gone").isTransient)
        #expect(!PostgresError(code: .authenticationFailed, message: "no").isTransient)
        #expect(!PostgresError(code: .closed, message: "closed").isTransient)
    }

    @Test func descriptionListsServerFields() {
        let error = PostgresError(
            code: .server, sqlState: "23505", message: "duplicate key", detail: "Key (id)=(1) already exists.",
            table: "t", constraint: "t_pkey"
        )
        #expect(error.description.contains("sqlState: 23505"))
        #expect(error.description.contains("constraint: t_pkey"))
        #expect(error.description.contains("Key (id)=(1)"))
    }
}
