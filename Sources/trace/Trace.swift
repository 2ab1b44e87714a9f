import ArgumentParser
import Foundation

/// The `trace` command: a thin layer that parses, calls one library function, and prints.
@main
struct Trace: ParsableCommand {
    // Every command here names itself (`commandName:`). Without it, ArgumentParser derives each
    // name from the type's name at every start, for every command in the tree: a demangling and
    // conformance scans costing about 2M instructions a command (callgrind), a fifth of a
    // `verify-lot`.
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: L10n.helpText("A verifiable farm-to-export traceability ledger."),
        discussion: "Exit status: 0 success, 1 a verification failed, 2 bad input or usage.",
        subcommands: [
            InitCommand.self, KeysCommand.self, CheckpointCommand.self, ProveCommand.self,
            ConsistencyCommand.self, VerifyCommand.self, PartyCommand.self, PlotCommand.self, AddCommand.self,
            TransformCommand.self, SplitCommand.self, MergeCommand.self, ShipCommand.self, ReceiveCommand.self,
            CertifyCommand.self, ExportCommand.self, VoidCommand.self, RecallCommand.self, ReleaseCommand.self,
            ShowCommand.self, LineageCommand.self, SubmitCommand.self, ForgetCommand.self, VerifyLotCommand.self,
            CertificateCommand.self, EUDRCommand.self, ServeCommand.self, PublishCommand.self, RulesCommand.self,
            StatsCommand.self, MigrateCommand.self, EPCISCommand.self, WitnessCommand.self, OperatorCommand.self,
            LotCommand.self, SyncCommand.self, CopyCommand.self,
        ]
    )

    /// Runs the command with our exit codes: usage and input errors are 2 (not
    /// ArgumentParser's 64), failed verifications 1, each with one line on stderr.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data((L10n.lines(failure.message) + "\n").utf8))
            Foundation.exit(failure.status)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(L10n.helpPage(fullMessage(for: error)))
                Foundation.exit(0)
            }
            // One line, as the command surface promises; --help has the rest.
            let message =
                CLIFailure.describe(error)
                ?? "error: \(message(for: error).split(separator: "\n").first.map(String.init) ?? "bad usage") (see --help)"
            FileHandle.standardError.write(Data((L10n.lines(message) + "\n").utf8))
            Foundation.exit(CLIFailure.status(for: error))
        }
    }
}
