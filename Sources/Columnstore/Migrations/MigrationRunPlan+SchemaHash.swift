extension MigrationRunPlan {
    /// The schema hash the store records: that of the last applied (or partly applied) file in name order,
    /// i.e. the schema the database was last migrated to. `nil` when nothing applied recorded one.
    public var recordedSchemaHash: (hash: String, file: String)? {
        let recorded = migrations.compactMap { migration -> (String, String)? in
            guard let entry = migration.entry else { return nil }
            return (entry.schemaHash, entry.name)
        }
        guard let last = recorded.last, !last.0.isEmpty else { return nil }
        return (last.0, last.1)
    }
}
