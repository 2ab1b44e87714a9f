import Foundation
import TestSupport
import Testing

/// A ledger shorter than a checkpoint already signed has lost entries (a torn write-ahead log, a
/// backup restored over newer data): every command must say so, with both sizes, never pass it.
struct LostTailTests {
    /// A ledger of 7 entries whose operator signed a checkpoint of 10, and that note saved apart.
    func ledgerMissingItsTail() throws -> CLIHarness {
        let h = try CLIHarness()
        try h.appendEvents(3)
        #expect(try h.run("checkpoint").status == 0)
        try FileManager.default.copyItem(atPath: h.ledger, toPath: h.directory + "/backup.db")
        try h.appendEvents(3, from: 10)
        let signed = try h.run("checkpoint")
        #expect(signed.status == 0)
        try signed.stdout.write(toFile: h.directory + "/signed.note", atomically: true, encoding: .utf8)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: h.ledger + suffix) }
        try FileManager.default.copyItem(atPath: h.directory + "/backup.db", toPath: h.ledger)
        return h
    }

    @Test func everyCommandRefusesALedgerShorterThanTheOperatorsLastCheckpoint() throws {
        let h = try ledgerMissingItsTail()
        for command in [["verify"], ["show", "LA-ST25-1"], ["verify-lot", "LA-ST25-1"], ["prove", "--entry", "4"]] {
            let result = try h.run(command)
            #expect(result.status == 1, "trace \(command.joined(separator: " ")): \(result.stderr)")
            #expect(
                result.stderr.contains("holds 7 entries") && result.stderr.contains("checkpoint of 10")
                    && result.stderr.contains("[ledger.behind]"), "\(result.stderr)")
        }
    }

    @Test func aCheckpointGivenWithTheOptionIsCheckedToo() throws {
        let h = try ledgerMissingItsTail()
        // An auditor's copy, with no operator key or record beside it.
        let folder = h.directory + "/audit"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: h.ledger, toPath: folder + "/trace.db")
        #expect(try h.run(["verify", "--ledger", "audit/trace.db"]).status == 0)
        let refused = try h.run(["verify", "--ledger", "audit/trace.db", "--checkpoint", "signed.note"])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("holds 7 entries") && refused.stderr.contains("checkpoint of 10"), "\(refused.stderr)")
        // Not a signed checkpoint at all: a failed verification too.
        try "garbage\n".write(toFile: h.directory + "/bad.note", atomically: true, encoding: .utf8)
        #expect(try h.run(["verify", "--ledger", "audit/trace.db", "--checkpoint", "bad.note"]).status == 1)
    }
}

extension CLIHarness {
    func run(_ arguments: [String]) throws -> CommandResult {
        try Command.run(Command.trace, arguments, directory: directory)
    }
}
