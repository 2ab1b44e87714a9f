import Foundation
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

/// `trace copy` draws a progress bar for each pass (source verified, entries copied, copy
/// verified) on a terminal only: piped, or with --quiet or --json, its output is the result alone.
struct CopyProgressTests {
    static let script = Command.which("script")

    @Test func pipedCopyCarriesNoProgressBar() throws {
        let h = try CLIHarness()
        let result = try h.run("copy", "--from", "trace.db", "--to", "copy.db")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("copied \(CLIHarness.setupEntries) entries"), "\(result.stdout)")
        #expect(!result.stderr.contains("\r") && !result.stderr.contains("["), "\(result.stderr)")
        #expect(!result.stdout.contains("\r"), "\(result.stdout)")
        #expect(try Ledger(path: h.directory + "/copy.db", readOnly: true).size() == UInt64(CLIHarness.setupEntries))
    }

    @Test(.enabled(if: script != nil, "SKIPPED: needs script(1) (util-linux) for a terminal"))
    func aTerminalSeesEachPassAndQuietSilencesIt() throws {
        let h = try CLIHarness()
        try h.appendEvents(50)
        let shown = try onTerminal(h, "copy --from trace.db --to shown.db")
        for pass in ["verifying source [", "copying [", "verifying copy ["] {
            #expect(shown.contains(pass), "\(shown)")
        }
        #expect(shown.contains("copied \(CLIHarness.setupEntries + 50) entries"), "\(shown)")
        let quiet = try onTerminal(h, "copy --quiet --from trace.db --to quiet.db")
        #expect(!quiet.contains("[#") && !quiet.contains("copying ["), "\(quiet)")
        #expect(quiet.contains("copied \(CLIHarness.setupEntries + 50) entries"), "\(quiet)")
    }

    /// Runs `trace ARGS` under script(1), so its standard error is a terminal; returns what it showed.
    private func onTerminal(_ h: CLIHarness, _ arguments: String) throws -> String {
        let result = try Command.run(
            Self.script!, ["-qec", "'\(Command.trace)' \(arguments)", "/dev/null"], directory: h.directory)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        return result.stdout
    }
}
