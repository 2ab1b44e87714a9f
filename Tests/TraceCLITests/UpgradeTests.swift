import CanonicalJSON
import Foundation
import GRDB
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

/// A ledger written by the release before the store seam (store format 1: the demo's ledger, 97
/// entries, with 24 personal values and one published certificate in their own tables) opens,
/// migrates in place, and verifies under the rules it was written with.
struct UpgradeTests {
    /// The fixture's root at size 97, as that release's `trace verify` printed it.
    static let root = "1137469b45f7626a350762333521a777eec3f4a4b6fc2026aa627637aa09787d"

    /// A scratch copy of a fixture (tests must never change the file in the repository):
    /// `release-2026-11` is store format 1, `release-2026-12` format 2.
    func copy(_ release: String = "release-2026-11") throws -> String {
        let source = try #require(
            Bundle.module.url(forResource: "trace", withExtension: "db", subdirectory: "Fixtures/\(release)"),
            "the fixture ledger \(release) is missing from the test bundle")
        let path = try Scratch.directory() + "/trace.db"
        try FileManager.default.copyItem(atPath: source.path, toPath: path)
        return path
    }

    func run(_ arguments: String...) throws -> CommandResult {
        try Command.run(Command.trace, arguments, directory: try Scratch.directory())
    }

    @Test func aFormatOneLedgerVerifiesAsItIsThenMigratesKeepingEveryEntryAndSideRecord() throws {
        let path = try copy()
        let personal = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT commitment, value FROM personal_data").map { ($0[0] as String, $0[1] as String) }
        }
        #expect(personal.count == 24)
        let certificate = try DatabaseQueue(path: path).read { db in
            try Data.fetchOne(db, sql: "SELECT bytes FROM certificates WHERE lot = 'GAO-EX-2607A'")
        }

        // Reading commands work on the old file as it is, and leave it at format 1.
        let before = try run("verify", "--ledger", path)
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("verified 97 entries") && before.stdout.contains(Self.root))
        let verdictBefore = try run("verify-lot", "GAO-EX-2607A", "--ledger", path, "--json")
        // Its rules index is of the older release: the replay is said, with the way to store the index.
        #expect(
            verdictBefore.stderr.contains("97 entries were replayed in memory; `trace migrate --ledger"),
            "\(verdictBefore.stderr)")
        #expect(try SQLiteLedgerStore.open(path: path, readOnly: true).version == 1)

        let migrated = try run("migrate", "--ledger", path)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.contains("migrated from store format 1 to 3"))
        #expect(try run("migrate", "--ledger", path).stdout.contains("already at store format 3"))

        let store = try SQLiteLedgerStore.open(path: path)
        #expect(store.version == 3)
        // Every personal value moved, and still opens its commitment; the old tables are gone.
        let side = try store.read { try $0.sideRecords(SideSpace("domain.personal")) }
        #expect(side.count == 24)
        for (commitment, value) in personal {
            let record = side.first { $0.key == commitment }.map {
                try? CanonicalJSON.parse(String(decoding: $0.value, as: UTF8.self))
            }
            #expect(record??["value"]?.stringValue == value, "commitment \(commitment)")
        }
        let published = try store.read { try $0.sideRecord(SideSpace("certificates.published"), key: "GAO-EX-2607A|full") }
        #expect(published.map { Data($0.dropFirst(8)) } == certificate)
        let tables = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        #expect(tables == ["checkpoints", "entries", "merkle_nodes", "meta", "side_records", "side_spaces"])
        // The rules index was rebuilt at the ledger's size, so reading commands need no replay.
        let indexed = try store.read { try $0.sideRecord(SideSpace("domain.index.meta"), key: "size") }
        #expect(indexed.map { String(decoding: $0, as: UTF8.self) } == "97")

        // The same entries, root, rules and verdict after it as before.
        let after = try run("verify", "--ledger", path)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout.contains("verified 97 entries") && after.stdout.contains(Self.root))
        let verdictAfter = try run("verify-lot", "GAO-EX-2607A", "--ledger", path, "--json")
        #expect(!verdictAfter.stderr.contains("replayed in memory"), "\(verdictAfter.stderr)")
        #expect(verdictAfter.status == verdictBefore.status)
        let a = try CanonicalJSON.parse(verdictBefore.stdout)
        let b = try CanonicalJSON.parse(verdictAfter.stdout)
        #expect(a["verdict"] == b["verdict"] && a["verdict"] != nil)
    }

    @Test func aWritingCommandMigratesOnOpen() throws {
        let path = try copy()
        // `stats` opens the ledger for writing (it keeps the rules index up to date).
        let result = try run("stats", "--ledger", path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try SQLiteLedgerStore.open(path: path, readOnly: true).version == SQLiteLedgerStore.formatVersion)
    }

    /// The fixture's root at size 97, as the format-2 release's `trace verify` printed it.
    static let rootFormat2 = "a76c15299933ba8237c6c38b28e07474aafa2fa48e4fb107f3f78fac90e1b609"

    /// Every side record of a file as its format stores them: (space name, key, value), sorted.
    func sideRecords(_ path: String) throws -> [[String]] {
        try DatabaseQueue(path: path).read { db in
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            let sql =
                version >= 3
                ? "SELECT s.name, r.key, hex(r.value) FROM side_records r JOIN side_spaces s ON s.id = r.space"
                : "SELECT space, key, hex(value) FROM side_records"
            return try Row.fetchAll(db, sql: sql + " ORDER BY 1, 2").map { [$0[0], $0[1], $0[2]] }
        }
    }

    /// Every entry's bytes, in order.
    func entryBytes(_ path: String) throws -> [Data] {
        try DatabaseQueue(path: path).read { db in try Data.fetchAll(db, sql: "SELECT bytes FROM entries ORDER BY seq") }
    }

    /// How many entries the store finds again by their event's id (read-only: a file is read as
    /// its format keeps the ids).
    func everyEventIDFindsItsEntry(_ path: String) throws -> Int {
        try SQLiteLedgerStore.open(path: path, readOnly: true).read { reader in
            try reader.entries(from: 0, limit: 1_000).filter { row in
                let id = try Entry(bytes: row.bytes, expectedSeq: row.seq).signed.id
                return try reader.seq(forEventID: id) == row.seq
            }.count
        }
    }

    @Test func aFormatTwoLedgerIsReadAsItIsThenMigratesKeepingEverySideRecordByteForByte() throws {
        let path = try copy("release-2026-12")
        let before = try sideRecords(path)
        #expect(before.count == 223)
        #expect(Set(before.map { $0[0] }).contains("certificates.published"))

        // Read as it is: its index (version 5, at size 97) serves reading commands without a replay.
        let verified = try run("verify", "--ledger", path)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("verified 97 entries") && verified.stdout.contains(Self.rootFormat2))
        let verdictBefore = try run("verify-lot", "GAO-EX-2607A", "--ledger", path, "--json")
        #expect(verdictBefore.status == 0 && !verdictBefore.stderr.contains("replayed in memory"), "\(verdictBefore.stderr)")
        #expect(try SQLiteLedgerStore.open(path: path, readOnly: true).version == 2)
        let certificate = try SQLiteLedgerStore.open(path: path, readOnly: true).read {
            try $0.sideRecord(SideSpace("certificates.published"), key: "GAO-EX-2607A|redacted")
        }
        #expect(certificate != nil)

        let entriesBefore = try entryBytes(path)
        #expect(try everyEventIDFindsItsEntry(path) == 97)

        let migrated = try run("migrate", "--ledger", path)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.contains("migrated from store format 2 to 3"))
        // The entries keep their bytes; the ids' index is rebuilt as keys, and the rebuilt table
        // still refuses UPDATE, DELETE and an entry out of order.
        #expect(try entryBytes(path) == entriesBefore)
        #expect(try everyEventIDFindsItsEntry(path) == 97)
        for sql in [
            "UPDATE entries SET bytes = x'00' WHERE seq = 1", "DELETE FROM entries WHERE seq = 2",
            "INSERT INTO entries (seq, event_key, bytes) VALUES (200, x'00', x'00')",
        ] {
            #expect(throws: DatabaseError.self, "\(sql)") { try DatabaseQueue(path: path).write { try $0.execute(sql: sql) } }
        }
        #expect(try SQLiteLedgerStore.open(path: path, readOnly: true).version == 3)
        // Every record kept, byte for byte, under its space's id; the text-keyed table is gone.
        #expect(try sideRecords(path) == before)
        let tables = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        #expect(tables == ["checkpoints", "entries", "merkle_nodes", "meta", "side_records", "side_spaces"])
        let store = try SQLiteLedgerStore.open(path: path)
        #expect(
            try store.read { try $0.sideRecord(SideSpace("certificates.published"), key: "GAO-EX-2607A|redacted") } == certificate
        )
        #expect(try store.read { try $0.sideRecords(SideSpace("domain.personal")) }.count == 24)

        let after = try run("verify", "--ledger", path)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout.contains("verified 97 entries") && after.stdout.contains(Self.rootFormat2))
        let verdictAfter = try run("verify-lot", "GAO-EX-2607A", "--ledger", path, "--json")
        #expect(verdictAfter.stdout == verdictBefore.stdout)
    }
}
