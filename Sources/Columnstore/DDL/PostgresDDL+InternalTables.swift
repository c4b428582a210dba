extension PostgresDDL {
    /// Tables ingest needs: checkpoints, seen idempotency keys, quarantine. Text key columns are
    /// `COLLATE "C"` (version 7): compared by bytes, not by the database's locale.
    static let internalTableStatements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS _projection_checkpoints (
            projection text COLLATE "C" NOT NULL,
            consumer text COLLATE "C" NOT NULL,
            partition integer NOT NULL DEFAULT 0,
            last_sequence bigint NOT NULL,
            lease_epoch bigint NOT NULL DEFAULT 0,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (projection, consumer, partition)
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS _projection_seen_keys (
            projection text COLLATE "C" NOT NULL,
            fact_type text COLLATE "C" NOT NULL,
            tenant_id text COLLATE "C" NOT NULL,
            idempotency_key text COLLATE "C" NOT NULL,
            stream_sequence bigint NOT NULL,
            seen_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, idempotency_key, fact_type, projection)
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS _projection_quarantine (
            projection text COLLATE "C" NOT NULL,
            stream_sequence bigint NOT NULL,
            subject text NOT NULL,
            fact_id text NOT NULL DEFAULT '',
            fact_type text NOT NULL DEFAULT '',
            tenant_id text NOT NULL DEFAULT '',
            reason text NOT NULL,
            raw bytea NOT NULL,
            headers jsonb NOT NULL DEFAULT '{}',
            quarantined_at timestamptz NOT NULL DEFAULT now(),
            partition integer NOT NULL DEFAULT 0,
            consumer text COLLATE "C" NOT NULL DEFAULT '',
            PRIMARY KEY (projection, stream_sequence, partition, consumer)
        );
        """,
    ]

    /// The DDL that takes the internal tables of an existing deployment through `upgrade` (one
    /// transaction per migration file on Postgres).
    static func internalTableStatements(for upgrade: InternalTablesUpgrade) -> [String] {
        switch upgrade.version {
        case 2:
            // The key constraint keeps the name CREATE TABLE gave it, as in a fresh deployment.
            return [
                "ALTER TABLE _projection_quarantine ADD COLUMN IF NOT EXISTS partition integer NOT NULL DEFAULT 0;",
                "ALTER TABLE _projection_quarantine DROP CONSTRAINT IF EXISTS _projection_quarantine_pkey, "
                    + "ADD CONSTRAINT _projection_quarantine_pkey PRIMARY KEY (projection, stream_sequence, partition);",
            ]
        case 4:
            // The same key set in another column order (rebuilding the index, under an exclusive lock for
            // its duration); the constraint keeps the name CREATE TABLE gives it.
            return [
                "ALTER TABLE _projection_seen_keys DROP CONSTRAINT IF EXISTS _projection_seen_keys_pkey, "
                    + "ADD CONSTRAINT _projection_seen_keys_pkey PRIMARY KEY (tenant_id, idempotency_key, fact_type, projection);",
            ]
        case 6:
            // Existing entries keep an empty consumer: which durable recorded them is not known.
            return [
                "ALTER TABLE _projection_quarantine ADD COLUMN IF NOT EXISTS consumer text NOT NULL DEFAULT '';",
                "ALTER TABLE _projection_quarantine DROP CONSTRAINT IF EXISTS _projection_quarantine_pkey, "
                    + "ADD CONSTRAINT _projection_quarantine_pkey PRIMARY KEY (projection, stream_sequence, partition, consumer);",
            ]
        case 7:
            // A collation-only change keeps the rows where they are (text to text is binary-coercible)
            // and rebuilds the indexes on those columns, under an exclusive lock for their duration. The
            // tables in the order a batch without a lease writes them, so the two do not deadlock; a batch
            // under a lease locks its checkpoint first, and apply retries the file if Postgres ends such a
            // deadlock on its side.
            func collateC(_ table: String, _ columns: [String]) -> String {
                "ALTER TABLE \(table) " + columns.map { "ALTER COLUMN \($0) TYPE text COLLATE \"C\"" }.joined(separator: ", ") + ";"
            }
            return [
                collateC("_projection_seen_keys", ["tenant_id", "idempotency_key", "fact_type", "projection"]),
                collateC("_projection_quarantine", ["projection", "consumer"]),
                collateC("_projection_checkpoints", ["projection", "consumer"]),
            ]
        default:
            return []
        }
    }
}
