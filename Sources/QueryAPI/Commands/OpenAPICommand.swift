import ArgumentParser
import Columnstore
import Foundation

/// `projection-query openapi`: writes (or checks) the OpenAPI document generated from the proto.
struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print the OpenAPI document of the query API (deterministic), or write or check a file.",
        discussion: "CI: projection-query openapi --check docs/openapi.json"
    )

    @Option(help: "FileDescriptorSet to read (default: $PROJECTION_DESCRIPTOR_SET, else the built-in orders-analytics).")
    var descriptorSet: String?

    @Option(help: "Projection name to pick when the descriptor set declares several.")
    var projection: String?

    @Option(help: "Tenant header name shown in the document.")
    var tenantHeader: String = "x-tenant-id"

    @Option(help: "Write the document to this file instead of standard output.")
    var output: String?

    @Option(help: "Exit non-zero if this file differs from the generated document.")
    var check: String?

    func run() throws {
        let schema = try ProjectionSchema.resolve(descriptorSetPath: descriptorSet, projection: projection)
        let text = OpenAPIGenerator.render(schema: schema, tenantHeader: tenantHeader.lowercased())
        if let check {
            let existing = FileManager.default.contents(atPath: check).map { String(decoding: $0, as: UTF8.self) }
            guard existing == text else {
                FileHandle.standardError.write(Data("\(check) is out of date; run: projection-query openapi --output \(check)\n".utf8))
                throw ExitCode(1)
            }
            return
        }
        if let output {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
