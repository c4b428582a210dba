extension PostgresDDL {
    /// Tables ingest needs: checkpoints, seen idempotency keys, quarantine.
    static let internalTableStatements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS _projection_checkpoints (
            projection text NOT NULL,
            consumer text NOT NULL,
            partition integer NOT NULL DEFAULT 0,
            last_sequence bigint NOT NULL,
            lease_epoch bigint NOT NULL DEFAULT 0,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (projection, consumer, partition)
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS _projection_seen_keys (
            projection text NOT NULL,
            fact_type text NOT NULL,
            tenant_id text NOT NULL,
            idempotency_key text NOT NULL,
            stream_sequence bigint NOT NULL,
            seen_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, idempotency_key, fact_type, projection)
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS _projection_quarantine (
            projection text NOT NULL,
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
            consumer text NOT NULL DEFAULT '',
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
        default:
            return []
        }
    }
}
