import Columnstore
import Testing
@testable import Ingest

@Suite("RFC 3339")
struct RFC3339Tests {
    @Test("parses UTC, fractional seconds and offsets", arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2026-03-01T10:15:00Z", Int64(1_772_360_100_000)),
        ("2026-03-01T10:15:00.5Z", Int64(1_772_360_100_500)),
        ("2026-03-01T10:15:00.123456Z", Int64(1_772_360_100_123)),
        ("2026-03-01T12:15:00+02:00", Int64(1_772_360_100_000)),
        ("2026-03-01t10:15:00z", Int64(1_772_360_100_000)),
        ("1969-12-31T23:59:59Z", Int64(-1000)),
    ])
    func parses(text: String, ms: Int64) {
        #expect(RFC3339.parseMilliseconds(text) == ms)
    }

    @Test("rejects malformed or impossible timestamps", arguments: [
        "", "abc", "2026-03-01", "2026-03-01T10:15:00", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-03-01T24:00:00Z", "2026-03-01T10:15:00.Z", "2026-03-01T10:15:00+0200", "2026-03-01T10:15:00Zjunk",
    ])
    func rejects(text: String) {
        #expect(RFC3339.parseMilliseconds(text) == nil)
    }

    @Test("dates round-trip")
    func dates() {
        #expect(RFC3339.parseDate("2026-03-01") == 20_513)
        #expect(RFC3339.formatDate(days: 20_513) == "2026-03-01")
        #expect(RFC3339.parseDate("2024-02-29") != nil)
        #expect(RFC3339.parseDate("2023-02-29") == nil)
        #expect(RFC3339.parseDate("2026-3-01") == nil)
        #expect(RFC3339.format(milliseconds: 1_772_360_100_500) == "2026-03-01T10:15:00.500Z")
        #expect(RFC3339.format(milliseconds: 0) == "1970-01-01T00:00:00Z")
    }

    @Test("timestamps format and parse back, before the epoch, at millisecond edges and past year 9999")
    func timestampsRoundTrip() {
        #expect(RFC3339.format(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(RFC3339.format(milliseconds: 7) == "1970-01-01T00:00:00.007Z")
        #expect(RFC3339.format(milliseconds: 253_402_300_799_000) == "9999-12-31T23:59:59Z")
        #expect(RFC3339.format(milliseconds: 253_402_300_800_000) == "10000-01-01T00:00:00Z")
        for ms: Int64 in [-62_135_596_800_000, -86_400_001, 0, 999, 1_000, 951_782_400_000, 1_772_360_100_500, 4_102_444_799_999] {
            #expect(RFC3339.parseMilliseconds(RFC3339.format(milliseconds: ms)) == ms)
        }
    }

    /// RFC 3339 5.7: :60 is a leap second, which is 23:59:60 UTC whatever the offset. It is kept as
    /// 23:59:59 with its fraction (no store holds leap seconds); a :60 at any other minute is refused
    /// (it used to be taken as :59 of that minute).
    @Test("second 60 only at 23:59 UTC, read as 23:59:59")
    func leapSecond() {
        #expect(RFC3339.parseMilliseconds("2016-12-31T23:59:60.500Z") == RFC3339.parseMilliseconds("2016-12-31T23:59:59.500Z"))
        #expect(RFC3339.parseMilliseconds("2016-12-31T18:59:60-05:00") == RFC3339.parseMilliseconds("2016-12-31T23:59:59Z"))
        #expect(RFC3339.parseMilliseconds("2017-01-01T05:29:60+05:30") == RFC3339.parseMilliseconds("2016-12-31T23:59:59Z"))
        for text in ["2016-12-31T10:15:60Z", "2016-12-31T23:58:60Z", "2016-12-31T23:59:60+01:00", "2016-12-31T23:59:61Z"] {
            #expect(RFC3339.parseMilliseconds(text) == nil, "\(text)")
            #expect(!IngressEvent.isRFC3339(text), "ingress: \(text)")
        }
        #expect(IngressEvent.isRFC3339("2016-12-31T23:59:60.5Z"))
    }
}
