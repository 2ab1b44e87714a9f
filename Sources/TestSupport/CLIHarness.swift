public import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite

/// A scratch folder with a ledger made by the real `trace init`, and a way to run `trace`.
public struct CLIHarness: Sendable {
    public let directory: String
    public var ledger: String { directory + "/trace.db" }
    public var operatorKeyPath: String { directory + "/trace.operator.key" }
    public let operatorVKey: String

    public init(origin: String = "longan.trace.example/ledger") throws {
        directory = try Scratch.directory()
        let result = try Command.run(Command.trace, ["init", "--origin", origin], directory: directory)
        guard result.status == 0 else { throw CLIError(result: result) }
        operatorVKey = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // A cooperative, its member farm and a plot: entries 1 to 3, through the real CLI.
        for (id, role, extra) in [
            ("htx-tan-lap", "cooperative", [String]()), ("trang-trai-bay", "farm", ["--member-of", "htx-tan-lap"]),
        ] {
            let key = try Command.run(Command.trace, ["keys", "new", "--name", id, "--out", "\(id).key"], directory: directory)
            let vkey = key.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let add = try Command.run(
                Command.trace,
                ["party", "add", "--id", id, "--name", "Hợp tác xã \(id)", "--role", role, "--vkey", vkey] + extra,
                directory: directory)
            guard add.status == 0 else { throw CLIError(result: add) }
        }
        let plot = try Command.run(
            Command.trace,
            [
                "plot", "add", "--key", "htx-tan-lap.key", "--id", "P-001", "--farm", "trang-trai-bay", "--area-ha", "2.5",
                "--crop", "lúa",
                "--geometry", #"{"type":"Point","coordinates":[106.5123,10.6011]}"#,
            ], directory: directory)
        guard plot.status == 0 else { throw CLIError(result: plot) }
    }

    /// The number of entries `init` leaves: genesis, two parties, one plot.
    public static let setupEntries = 4

    /// Runs `trace ARGS` in the scratch folder.
    public func run(_ arguments: String...) throws -> CommandResult {
        try Command.run(Command.trace, arguments, directory: directory)
    }

    /// Runs each `trace` command in turn in the scratch folder; the first that fails throws.
    public func runAll(_ commands: [[String]]) throws {
        for arguments in commands {
            let result = try Command.run(Command.trace, arguments, directory: directory)
            guard result.status == 0 else { throw CLIError(result: result, command: arguments) }
        }
    }

    /// Runs `trace ARGS --json` and parses its one JSON document.
    public func json(_ arguments: String...) throws -> JSONValue {
        let result = try Command.run(Command.trace, arguments + ["--json"], directory: directory)
        return try CanonicalJSON.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Appends `count` harvests by the cooperative (lots LA-ST25-start ...) in one batch, through
    /// the library; entry numbers follow the setup entries.
    public func appendEvents(_ count: Int, from start: Int = 1) throws {
        let key = try PrivateKey(contentsOfFile: directory + "/htx-tan-lap.key")
        let chain = try SupplyChain(ledger: Ledger(path: ledger))
        let events = try (start..<(start + count)).map {
            try chain.sign(
                SupplyChain.event(
                    "harvest", actor: "htx-tan-lap", id: "ev-\($0)",
                    [
                        "lot": .string("LA-ST25-\($0)"), "product": "Lúa ST25", "quantity": "1200", "unit": "kg", "plot": "P-001",
                        "harvested": "2026-07-01",
                    ]), with: key)
        }
        _ = try chain.submit(events)
    }
}

public struct CLIError: Error, CustomStringConvertible {
    public let result: CommandResult
    /// The command that failed, when known.
    public var command: [String] = []
    public var description: String {
        "\(command.isEmpty ? "" : "trace \(command.joined(separator: " ")): ")exit \(result.status): \(result.stderr)"
    }
}
