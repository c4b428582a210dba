extension ProjectionSchema {
    /// The built-in orders-analytics projection (proto/orders/analytics/v1), embedded
    /// so executables need no files at runtime.
    public static let ordersAnalytics: ProjectionSchema = {
        do {
            return try ProjectionSchema(descriptorSet: OrdersAnalyticsDescriptorSet.bytes)
        } catch {
            // The embedded set is generated and covered by tests; failing here is a build defect.
            fatalError("embedded orders-analytics descriptor set is invalid: \(error)")
        }
    }()
}
