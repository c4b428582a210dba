extension ProjectionSchema {
    /// The same projection with every table renamed `<table><suffix>`: the shadow tables a rebuild
    /// writes while the originals keep serving queries.
    public func withTableSuffix(_ suffix: String) -> ProjectionSchema {
        guard !suffix.isEmpty else { return self }
        var copy = self
        copy.tables = tables.map { table in
            var renamed = table
            renamed.name = table.name + suffix
            return renamed
        }
        return copy
    }
}
