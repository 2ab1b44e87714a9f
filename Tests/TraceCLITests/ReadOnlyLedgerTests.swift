import CanonicalJSON
import Foundation
import GRDB
import TestSupport
import Testing

/// The read-only commands on an auditor's copy: they must work on read-only media and leave the
/// file, and its folder, exactly as received.
struct ReadOnlyLedgerTests {
    /// A copy of a ledger with a stale rules index (its size row removed), alone in a folder
    /// made read-only, with the file made read-only too.
    func auditorsCopy() throws -> (CLIHarness, folder: String, ledger: String) {
        let h = try CLIHarness()
        try h.appendEvents(3)
        #expect(try h.run("checkpoint").status == 0)
        let folder = h.directory + "/audit"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let copy = folder + "/trace.db"
        try FileManager.default.copyItem(atPath: h.ledger, toPath: copy)
        // A copy whose index lags its entries: a reading command would rebuild it in the file.
        let queue = try DatabaseQueue(path: copy)
        try queue.write {
            try $0.execute(
                sql: "DELETE FROM side_records WHERE space = (SELECT id FROM side_spaces WHERE name = 'domain.index.meta')")
        }
        try queue.close()
        for side in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + side) }
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        return (h, folder, copy)
    }

    @Test func verifyShowLineageProveAndCheckpointLeaveAReadOnlyCopyUntouched() throws {
        let (h, folder, copy) = try auditorsCopy()
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: copy))
        let modified = try FileManager.default.attributesOfItem(atPath: copy)[.modificationDate] as? Date
        for command in [
            ["verify"], ["verify-lot", "LA-ST25-2"], ["show", "LA-ST25-2"], ["lineage", "LA-ST25-2"], ["prove", "--entry", "5"],
            ["prove", "--lot", "LA-ST25-2"], ["checkpoint"], ["show", "LA-ST25-3", "--json"],
        ] {
            let result = try Command.run(Command.trace, command + ["--ledger", copy], directory: h.directory)
            #expect(result.status == 0, "trace \(command.joined(separator: " ")): \(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == bytes)
        #expect(try FileManager.default.attributesOfItem(atPath: copy)[.modificationDate] as? Date == modified)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["trace.db"])
    }

    @Test func aStaleIndexIsCaughtUpInMemoryOnly() throws {
        let (h, folder, copy) = try auditorsCopy()
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder) }
        // The reading commands still see every entry, with the index rebuilt only in memory.
        let json = try h.json("show", "LA-ST25-1", "--ledger", copy)
        #expect(json["lot"]?.stringValue == "LA-ST25-1")
    }
}
