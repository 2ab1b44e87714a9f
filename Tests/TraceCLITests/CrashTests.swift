import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

/// A process killed in the middle of appending loses nothing it acknowledged and leaves no half
/// batch: every batch lands whole or not at all, and the ledger still verifies.
struct CrashTests {
    @Test func killingSubmitMidwayLosesNoAcknowledgedEventAndLeavesNoHalfBatch() throws {
        let h = try CLIHarness()
        // Twenty batches of 1,000 harvests, submitted one after another by a shell loop that
        // prints each batch's answer as it is acknowledged; killed with SIGKILL partway.
        for b in 0..<20 {
            let lines = (0..<1000).map { i in
                #"{"id":"crash-\#(b)-\#(i)","type":"harvest","lot":"C\#(b)-\#(i)","product":"Lúa","quantity":"1","unit":"kg","plot":"P-001","harvested":"2026-07-01"}"#
            }
            try (lines.joined(separator: "\n") + "\n").write(
                toFile: h.directory + "/b\(b).jsonl", atomically: true, encoding: .utf8)
        }
        let script =
            "for b in $(seq 0 19); do \(Command.trace) submit --key htx-tan-lap.key --file b$b.jsonl --json || exit 1; done"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: h.directory)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for a few acknowledgements, then kill the whole group without warning.
        var acknowledged = ""
        let deadline = Date().addingTimeInterval(60)
        while acknowledged.filter({ $0 == "\n" }).count < 3 && Date() < deadline {
            acknowledged += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        }
        // The running `trace submit` (the shell's child) first, then the shell.
        _ = try Command.run("pkill", ["-9", "-P", String(process.processIdentifier)])
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        acknowledged += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

        // Only complete lines are acknowledgements: a kill can cut the last one short.
        let complete = acknowledged.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let acks = try complete.map { try CanonicalJSON.parse(String($0)) }
        #expect(acks.count >= 3)
        let ledger = try Ledger(path: h.ledger)
        let size = try ledger.size()
        // Every acknowledged entry is there.
        for ack in acks {
            for entry in ack["entries"]?.arrayValue ?? [] { #expect(UInt64(entry.intValue ?? -1) < size) }
        }
        // Whole batches only: the harvests beyond the setup are a multiple of 200.
        #expect((Int(size) - CLIHarness.setupEntries) % 1000 == 0, "size \(size)")
        #expect(Int(size) - CLIHarness.setupEntries >= acks.count * 1000)
        #expect(acks.count < 20, "the kill came after the last batch: the test proved nothing")
        // And the ledger, rules included, verifies; the next submit carries on.
        #expect(try h.run("verify").status == 0)
        #expect(try h.run("submit", "--key", "htx-tan-lap.key", "--file", "b19.jsonl").status == 0)
    }
}
