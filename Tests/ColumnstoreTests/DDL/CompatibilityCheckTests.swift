import Columnstore
import Testing

/// The breaking-change gate over the query API and the stores, on edits of the shipped schema and the
/// shop fixtures (v1 → v2 is additive, v2 → v3 destructive).
@Suite("Compatibility check")
struct CompatibilityCheckTests {
    let released = ProjectionSchema.ordersAnalytics

    private func edited(_ edit: (inout QueryServiceSchema) -> Void) -> ProjectionSchema {
        var schema = released
        var service = schema.queryService!
        edit(&service)
        schema.queryService = service
        return schema
    }

    @Test("the same schema passes with nothing to report")
    func identical() {
        let report = CompatibilityCheck.compare(released: released, new: released)
        #expect(report.passes && report.breaking.isEmpty && report.additive.isEmpty)
    }

    @Test("each breaking query API change is named", arguments: [
        "rpc removed", "field renamed", "field number", "field type", "made required", "new required", "response shape", "row field removed",
    ])
    func breaking(change: String) throws {
        let new = edited { service in
            switch change {
            case "rpc removed": service.methods.removeLast()
            case "field renamed": service.methods[0].requestFields[0].name += "_v2"
            case "field number": service.methods[0].requestFields[0].number += 10
            case "field type": service.methods[0].requestFields[0].isRepeated.toggle()
            case "made required":
                let index = service.methods[1].requestFields.firstIndex { $0.hints?.isRequired == false }!
                service.methods[1].requestFields[index].hints!.isRequired = true
            case "new required":
                var field = service.methods[0].requestFields[0]
                field.name = "extra"; field.number = 99
                field.hints = field.hints ?? QueryParameterHints(isRequired: true)
                field.hints!.isRequired = true
                service.methods[0].requestFields.append(field)
            case "response shape": service.methods[0].responseFieldNumber += 1
            case "row field removed": service.methods[0].rowFields.removeLast()
            default: Issue.record("unknown case")
            }
        }
        let report = CompatibilityCheck.compare(released: released, new: new)
        #expect(!report.passes, "\(change): \(report)")
        #expect(report.breaking.allSatisfy { $0.contains("rpc ") }, "\(change): \(report.breaking)")
    }

    @Test("a new RPC and a new optional field are additive")
    func additive() {
        let new = edited { service in
            var method = service.methods[0]
            method.name = "GetSomethingElse"
            service.methods.append(method)
            var field = service.methods[0].requestFields[0]
            field.name = "extra"; field.number = 99; field.hints = nil
            service.methods[0].requestFields.append(field)
        }
        let report = CompatibilityCheck.compare(released: released, new: new)
        #expect(report.passes, "\(report.breaking)")
        #expect(report.additive.count == 2, "\(report.additive)")
    }

    @Test("store changes: v1 → v2 additive, v2 → v3 destructive on both stores")
    func stores() throws {
        let v1 = try ProjectionSchema(descriptorSet: FixtureFiles.bytes("shop_v1.binpb"))
        let v2 = try ProjectionSchema(descriptorSet: FixtureFiles.bytes("shop_v2.binpb"))
        let v3 = try ProjectionSchema(descriptorSet: FixtureFiles.bytes("shop_v3.binpb"))
        let additive = CompatibilityCheck.compare(released: v1, new: v2)
        #expect(additive.passes && !additive.additive.isEmpty)
        let destructive = CompatibilityCheck.compare(released: v2, new: v3)
        #expect(!destructive.passes)
        #expect(destructive.breaking.contains { $0.hasPrefix("clickhouse:") } && destructive.breaking.contains { $0.hasPrefix("postgres_table:") })
    }
}
