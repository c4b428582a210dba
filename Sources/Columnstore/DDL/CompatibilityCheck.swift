/// The breaking-change gate (`projection-migrate check --against OLD.binpb`): compares a projection's new
/// schema with the released one. Breaking: a query RPC or field removed or renamed, a field's number or
/// type changed, a parameter made required (or a new required one), a changed response shape, and
/// destructive store changes (drops, type changes, recreated tables). Additive changes pass.
public enum CompatibilityCheck {
    public struct Report: Sendable, Hashable {
        /// What would break clients or lose data; the gate fails when any.
        public var breaking: [String] = []
        /// What is new and compatible.
        public var additive: [String] = []
        public var passes: Bool { breaking.isEmpty }
    }

    public static func compare(released old: ProjectionSchema, new: ProjectionSchema) -> Report {
        var report = Report()
        compareQueries(old.queryService, new.queryService, into: &report)
        for store in [StoreKind.clickhouse, .postgres] where old.storeKinds.contains(store) {
            guard new.storeKinds.contains(store) else {
                report.breaking.append("store \(store.environmentValue): no longer supported")
                continue
            }
            let target: DDLTarget = store == .clickhouse ? .clickhouse(cluster: nil) : .postgres
            for change in SchemaDiff.changes(from: SchemaSnapshot(old, target: target), to: new, target: target) {
                let line = "\(store.environmentValue): \(change)"
                if change.isDestructive { report.breaking.append(line) } else { report.additive.append(line) }
            }
        }
        return report
    }

    private static func compareQueries(_ old: QueryServiceSchema?, _ new: QueryServiceSchema?, into report: inout Report) {
        guard let old else {
            if let new { report.additive.append("query service \(new.fullName): new") }
            return
        }
        guard let new else {
            report.breaking.append("query service \(old.fullName): removed")
            return
        }
        if old.fullName != new.fullName {
            report.breaking.append("query service \(old.fullName): renamed to \(new.fullName) (every route changes)")
        }
        for method in old.methods {
            guard let current = new.methods.first(where: { $0.name == method.name }) else {
                report.breaking.append("rpc \(method.name): removed or renamed")
                continue
            }
            let rpc = "rpc \(method.name)"
            compareFields(method.requestFields, current.requestFields, where: "\(rpc) request", isRequest: true, into: &report)
            if method.response != current.response || method.responseFieldNumber != current.responseFieldNumber {
                report.breaking.append("\(rpc) response: shape changed (\(method.response) #\(method.responseFieldNumber) → \(current.response) #\(current.responseFieldNumber))")
            }
            compareFields(method.rowFields, current.rowFields, where: "\(rpc) response rows", isRequest: false, into: &report)
            if method.hasNoSideEffects, !current.hasNoSideEffects {
                report.breaking.append("\(rpc): no longer NO_SIDE_EFFECTS (GET callers get 405)")
            }
        }
        for method in new.methods where !old.methods.contains(where: { $0.name == method.name }) {
            report.additive.append("rpc \(method.name): new")
        }
    }

    private static func compareFields(_ old: [QueryFieldSchema], _ new: [QueryFieldSchema], where place: String, isRequest: Bool, into report: inout Report) {
        for field in old {
            guard let current = new.first(where: { $0.name == field.name }) else {
                report.breaking.append("\(place): field \(field.name) removed or renamed")
                continue
            }
            if current.number != field.number {
                report.breaking.append("\(place): field \(field.name) number \(field.number) → \(current.number) (binary clients break)")
            }
            if current.type != field.type || current.isRepeated != field.isRepeated {
                report.breaking.append("\(place): field \(field.name) type changed")
            }
            if isRequest, current.hints?.isRequired == true, field.hints?.isRequired != true {
                report.breaking.append("\(place): parameter \(field.name) made required")
            }
        }
        for field in new where !old.contains(where: { $0.name == field.name }) {
            if isRequest, field.hints?.isRequired == true {
                report.breaking.append("\(place): new required parameter \(field.name) (old callers do not send it)")
            } else {
                report.additive.append("\(place): field \(field.name) new")
            }
        }
    }
}
