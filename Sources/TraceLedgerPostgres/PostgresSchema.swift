/// The PostgreSQL schema: the SQLite store's tables (docs/FORMAT.md section 9) with the same
/// refusals as triggers, so that append-only holds against any client of the database.
enum PostgresSchema {
    /// Merkle nodes are keyed by one integer: level in the high bits, index in the low 48.
    static func nodeID(level: Int, index: UInt64) -> Int64 { Int64(level) << 48 | Int64(index) }

    /// Run one by one in the creating transaction. Keys compare bytewise (COLLATE "C"), as SQLite's do.
    static let statements =
        [
            "CREATE TABLE meta (key text COLLATE \"C\" PRIMARY KEY, value text NOT NULL)",
            "CREATE TABLE entries (seq bigint PRIMARY KEY, event_id text COLLATE \"C\" NOT NULL UNIQUE, bytes bytea NOT NULL)",
            "CREATE TABLE merkle_nodes (id bigint PRIMARY KEY, hash bytea NOT NULL)",
            "CREATE TABLE checkpoints (size bigint PRIMARY KEY, note text NOT NULL)",
            """
            CREATE TABLE side_records (
                space text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, value bytea NOT NULL, PRIMARY KEY (space, key))
            """,
            """
            CREATE FUNCTION trace_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '% refused', TG_ARGV[0] || ': ' || TG_OP; END $$
            """,
            """
            CREATE FUNCTION trace_entries_in_order() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.seq IS DISTINCT FROM (SELECT COALESCE(MAX(seq) + 1, 0) FROM entries) THEN
                    RAISE EXCEPTION 'ledger entries are append-only: seq must be the next number';
                END IF;
                RETURN NEW;
            END $$
            """,
            "CREATE TRIGGER entries_in_order BEFORE INSERT ON entries FOR EACH ROW EXECUTE FUNCTION trace_entries_in_order()",
        ]
        + refusals(table: "entries", what: "ledger entries are append-only")
        + refusals(table: "merkle_nodes", what: "Merkle nodes are append-only")
        + refusals(table: "checkpoints", what: "checkpoints are append-only")
        + refusals(table: "meta", what: "ledger metadata is fixed at creation")

    /// UPDATE and DELETE row by row, and TRUNCATE, which skips row triggers.
    static func refusals(table: String, what: String) -> [String] {
        [
            "CREATE TRIGGER \(table)_no_change BEFORE UPDATE OR DELETE ON \(table) "
                + "FOR EACH ROW EXECUTE FUNCTION trace_refuse_change('\(what)')",
            "CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(table) "
                + "FOR EACH STATEMENT EXECUTE FUNCTION trace_refuse_change('\(what)')",
        ]
    }
}
