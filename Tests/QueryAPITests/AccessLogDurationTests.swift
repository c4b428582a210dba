import Hummingbird
@testable import QueryAPI
import Testing

/// The access log's `duration_ms`: milliseconds with two decimals, rounded half up.
@Suite("Access log duration")
struct AccessLogDurationTests {
    typealias Middleware = ConnectMiddleware<BasicRequestContext>

    @Test("milliseconds with two decimals")
    func format() {
        #expect(Middleware.milliseconds(.zero) == "0.00")
        #expect(Middleware.milliseconds(.microseconds(4)) == "0.00")
        #expect(Middleware.milliseconds(.microseconds(5)) == "0.01")
        #expect(Middleware.milliseconds(.microseconds(12_345)) == "12.35")
        #expect(Middleware.milliseconds(.milliseconds(1)) == "1.00")
        #expect(Middleware.milliseconds(.microseconds(999_996)) == "1000.00")
        #expect(Middleware.milliseconds(.seconds(2.5)) == "2500.00")
        #expect(Middleware.milliseconds(.seconds(90_061)) == "90061000.00")
    }
}
