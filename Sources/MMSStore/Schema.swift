import GRDB
import MMSCrypto

/// Append-only migrations: a shipped migration is never edited, only followed by a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: op log and CRDT cells") { db in
            try db.execute(sql: """
                -- Node-local facts: this node's id, role and clock.
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

                -- Origins whose ops this replica accepts, with their Ed25519 public keys.
                CREATE TABLE origins (
                    id TEXT PRIMARY KEY, public_key BLOB NOT NULL, role TEXT NOT NULL
                ) WITHOUT ROWID;

                -- The op log: every op exactly as signed. The source of truth.
                CREATE TABLE ops (
                    origin TEXT NOT NULL, seq INTEGER NOT NULL, hlc INTEGER NOT NULL,
                    kind TEXT NOT NULL, member TEXT, hash BLOB NOT NULL,
                    bytes BLOB NOT NULL, signature BLOB NOT NULL,
                    PRIMARY KEY (origin, seq)
                );
                CREATE INDEX ops_by_member ON ops (member, hlc) WHERE member IS NOT NULL;

                -- Each origin's chain head: the version vector plus the hash the next op must link to.
                CREATE TABLE heads (origin TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash BLOB NOT NULL) WITHOUT ROWID;

                -- Remote ops that arrived ahead of a gap in their origin's chain (each verified alone).
                CREATE TABLE pending_ops (
                    origin TEXT NOT NULL, seq INTEGER NOT NULL, bytes BLOB NOT NULL, signature BLOB NOT NULL,
                    PRIMARY KEY (origin, seq)
                ) WITHOUT ROWID;

                -- Evidence of forks: a second, different op offered for an (origin, seq) already held.
                CREATE TABLE forks (
                    origin TEXT NOT NULL, seq INTEGER NOT NULL, held_hash BLOB NOT NULL,
                    offered_bytes BLOB NOT NULL, offered_signature BLOB NOT NULL,
                    PRIMARY KEY (origin, seq, offered_bytes)
                );

                -- The materialised state: four kinds of CRDT cell (see MMSCore.Delta).
                CREATE TABLE counters (
                    entity TEXT NOT NULL, name TEXT NOT NULL, node TEXT NOT NULL, value INTEGER NOT NULL,
                    PRIMARY KEY (entity, name, node)
                ) WITHOUT ROWID;
                CREATE TABLE maxima (
                    entity TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (entity, name)
                ) WITHOUT ROWID;
                CREATE TABLE registers (
                    entity TEXT NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL,
                    hlc INTEGER NOT NULL, origin TEXT NOT NULL, PRIMARY KEY (entity, name)
                ) WITHOUT ROWID;
                CREATE INDEX registers_by_value ON registers (name, value);
                CREATE TABLE flags (entity TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (entity, name)) WITHOUT ROWID;

                -- Till idempotency: a retried request with the same key gets the first answer back.
                CREATE TABLE requests (
                    key TEXT PRIMARY KEY, fingerprint BLOB NOT NULL,
                    op_origin TEXT NOT NULL, op_seq INTEGER NOT NULL, response TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2: who caused each op; operators' sessions") { db in
            try db.execute(sql: """
                -- The operator and till inside each op's signed bytes, copied out for the audit trail.
                ALTER TABLE ops ADD COLUMN operator TEXT;
                ALTER TABLE ops ADD COLUMN till TEXT;
                CREATE INDEX ops_by_operator ON ops (operator, hlc) WHERE operator IS NOT NULL;
                CREATE INDEX ops_by_hlc ON ops (hlc);

                -- Operators' sessions at this node's tills. Node-local (a session is bound to one
                -- till of this branch), never replicated; the token is kept only as a hash.
                CREATE TABLE sessions (
                    token_hash BLOB PRIMARY KEY, operator TEXT NOT NULL, till TEXT NOT NULL,
                    created INTEGER NOT NULL, expires INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX sessions_by_expiry ON sessions (expires);
                """)
        }
        migrator.registerMigration("v3: report tables") { db in
            try db.execute(sql: ReportTables.schema)
            // A store from before them has its log folded into them by v5, whose columns the fold
            // writes (a migration must not run today's code against yesterday's tables).
        }
        migrator.registerMigration("v4: report rows found by version") { db in
            // A mirror asks each table for the rows changed since it last looked.
            for table in ReportTables.tablesV3 { try db.execute(sql: "CREATE INDEX \(table)_by_version ON \(table) (version)") }
            try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('report_epoch', ?)", arguments: [Hex.encode(randomBytes(8))])
        }
        migrator.registerMigration("v5: what tiers are decided on") { db in
            // Each member's net spend, largest top-up and points earned (TierFigures), for the tier report.
            try db.execute(sql: """
                ALTER TABLE report_members ADD COLUMN tier_spend INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE report_members ADD COLUMN largest_topup INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE report_members ADD COLUMN tier_points INTEGER NOT NULL DEFAULT 0;
                """)
            // Folded by v6 (the fold writes its tables too).
        }
        migrator.registerMigration("v6: joins by day, tier figures by month") { db in
            try db.execute(sql: ReportTables.schemaV6)
            // Folded by v7.
        }
        migrator.registerMigration("v7: products by day") { db in
            try db.execute(sql: ReportTables.schemaV7)
            // The last migration that changes the report tables folds the log into all of them.
            try ReportTables(db: db).rebuild()
        }
        migrator.registerMigration("v8: what each branch's members are owed, kept as it changes") { db in
            try db.execute(sql: ReportTables.schemaV8)
        }
        migrator.registerMigration("v9: members' photos kept here") { db in
            try db.execute(sql: NodeStore.photosSchema)
        }
        return migrator
    }

    /// The tables that hold the materialised state; cleared and refilled by a rebuild.
    static let cellTables = ["counters", "maxima", "registers", "flags"]
}
