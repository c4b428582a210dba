import ArgumentParser
import Columnstore
import Foundation

/// `projection-migrate check --against OLD.binpb`: the breaking-change gate for a release.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare the projection with a released descriptor set; fail on breaking changes.",
        discussion: """
        Lists breaking query API changes (a removed or renamed RPC or field, a changed field number or type, \
        a parameter made required, a changed response shape) and destructive store changes, and exits 1 when \
        there is any; additive changes are listed and pass. Run it in CI against the last released descriptor set.
        """
    )

    @Option(name: .customLong("against"), help: "The released FileDescriptorSet to compare with.")
    var against: String

    @Option(name: .customLong("descriptor-set"), help: "The new FileDescriptorSet (default: $PROJECTION_DESCRIPTOR_SET, else the built-in orders-analytics).")
    var descriptorSet: String?

    @Option(help: "Projection name to pick when the descriptor sets declare several.")
    var projection: String?

    func run() throws {
        let new = try ProjectionSchema.resolve(descriptorSetPath: descriptorSet, projection: projection)
        let released = try ProjectionSchema.resolve(descriptorSetPath: against, projection: projection ?? new.name)
        let report = CompatibilityCheck.compare(released: released, new: new)
        for line in report.breaking { print("breaking: \(line)") }
        for line in report.additive { print("additive: \(line)") }
        if report.passes {
            print("check: \(new.name) is compatible with \(against) (\(report.additive.count) additive change(s))")
        } else {
            print("check: \(report.breaking.count) breaking change(s) against \(against)")
            throw ExitCode(1)
        }
    }
}
