import Columnstore

extension ResolvedStore {
    /// The migration files read against the store's ledger; the connection is closed whatever happens.
    /// Shared by `plan` and `status`, which only read.
    func readPlan() async throws -> (backend: any MigrationBackend, plan: MigrationRunPlan) {
        let backend = try backend()
        do {
            let plan = try await MigrationRunner(backend: backend, directory: directory).plan()
            await backend.close()
            return (backend, plan)
        } catch {
            await backend.close()
            throw error
        }
    }
}
