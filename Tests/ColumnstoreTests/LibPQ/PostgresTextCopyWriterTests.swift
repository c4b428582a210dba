import Testing
import LibPQ

@Suite("PostgresTextCopyWriter encoding")
struct PostgresTextCopyWriterTests {
    @Test func tabSeparatedNewlineTerminatedWithNulls() {
        var writer = PostgresTextCopyWriter()
        writer.appendRow(["1", nil, "x"])
        writer.appendRow(["2", "", "y"])
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "1\t\\N\tx\n2\t\ty\n")
    }

    @Test func escapesSpecialCharacters() {
        var writer = PostgresTextCopyWriter()
        writer.appendRow(["a\tb\nc\rd\\e", "\\N"])
        #expect(String(decoding: writer.takeBytes(), as: UTF8.self) == "a\\tb\\nc\\rd\\\\e\t\\\\N\n")
        #expect(writer.bytes.isEmpty)
    }
}
