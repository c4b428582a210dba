/// The query API of a projection: the RPCs marked with `(projection.v1.query)`.
public struct QueryServiceSchema: Sendable, Hashable {
    /// Fully-qualified service name, e.g. `orders.analytics.v1.OrdersAnalyticsQuery`.
    public var fullName: String
    public var methods: [QueryMethodSchema]

    public init(fullName: String, methods: [QueryMethodSchema]) {
        self.fullName = fullName
        self.methods = methods
    }

    /// The method with an RPC name, e.g. `GetDailySales`.
    public func method(named name: String) -> QueryMethodSchema? {
        methods.first { $0.name == name }
    }
}
