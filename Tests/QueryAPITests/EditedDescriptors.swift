@testable import Columnstore
import SwiftProtobuf

/// The built-in orders-analytics descriptors with one edit, loaded as the server loads a projection
/// (for what only a descriptor set can state, such as a custom `json_name`).
enum EditedDescriptors {
    static func ordersAnalytics(_ edit: (inout Google_Protobuf_FileDescriptorProto) -> Void) throws -> ProjectionSchema {
        var set = try Google_Protobuf_FileDescriptorSet(
            serializedBytes: OrdersAnalyticsDescriptorSet.bytes, extensions: Projection_V1_Annotations_Extensions
        )
        let index = set.file.firstIndex { $0.name == "orders/analytics/v1/orders_analytics.proto" }!
        edit(&set.file[index])
        let bytes: [UInt8] = try set.serializedBytes()
        return try ProjectionSchema(descriptorSet: bytes)
    }
}
