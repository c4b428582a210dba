import Foundation

extension ProjectionSchema {
    /// Environment variable naming a descriptor set to use instead of the built-in projection.
    public static let descriptorSetEnvironmentKey = "PROJECTION_DESCRIPTOR_SET"

    /// Loads and validates the projection declared in a serialized FileDescriptorSet
    /// (`protoc --include_imports --include_source_info --descriptor_set_out=...`).
    /// - Parameter projection: the projection name to pick when the set declares several.
    public init(descriptorSet bytes: [UInt8], projection: String? = nil) throws {
        self = try SchemaLoader(serializedSet: bytes).load(projection: projection)
    }

    /// Loads and validates the projection declared in a descriptor set file.
    public init(descriptorSetAt path: String, projection: String? = nil) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchemaError(.invalidDescriptorSet, "cannot read descriptor set file '\(path)'")
        }
        try self.init(descriptorSet: [UInt8](data), projection: projection)
    }

    /// The projection to run: the descriptor set at `path`, else the one named by
    /// `PROJECTION_DESCRIPTOR_SET`, else the built-in orders-analytics projection.
    public static func resolve(
        descriptorSetPath path: String? = nil, projection: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ProjectionSchema {
        if let path = path ?? environment[descriptorSetEnvironmentKey].flatMap({ $0.isEmpty ? nil : $0 }) {
            return try ProjectionSchema(descriptorSetAt: path, projection: projection)
        }
        return try ProjectionSchema(descriptorSet: OrdersAnalyticsDescriptorSet.bytes, projection: projection)
    }
}
