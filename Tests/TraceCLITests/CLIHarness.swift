import CanonicalJSON
import Foundation
import TestSupport
import TraceCrypto
import TraceLedger

/// A scratch folder with a ledger made by the real `trace init`, and a way to run `trace`.
struct CLIHarness {
    let directory: String
    var ledger: String { directory + "/trace.db" }
    var operatorKeyPath: String { directory + "/trace.operator.key" }
    let operatorVKey: String

    init(origin: String = "longan.trace.example/ledger") throws {
        directory = try Scratch.directory()
        let result = try Command.run(Command.trace, ["init", "--origin", origin], directory: directory)
        guard result.status == 0 else { throw CLIError(result: result) }
        operatorVKey = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `trace ARGS` in the scratch folder.
    func run(_ arguments: String...) throws -> CommandResult {
        try Command.run(Command.trace, arguments, directory: directory)
    }

    /// Runs `trace ARGS --json` and parses its one JSON document.
    func json(_ arguments: String...) throws -> JSONValue {
        let result = try Command.run(Command.trace, arguments + ["--json"], directory: directory)
        return try CanonicalJSON.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Appends `count` events signed by a cooperative key through the library (the domain
    /// commands that append come with the supply-chain layer).
    func appendEvents(_ count: Int, from start: Int = 1) throws {
        let keyPath = directory + "/coop.key"
        let key =
            FileManager.default.fileExists(atPath: keyPath)
            ? try PrivateKey(contentsOfFile: keyPath)
            : try {
                let k = try PrivateKey.generate()
                try k.write(toFile: keyPath)
                return k
            }()
        let events = try (start..<(start + count)).map {
            try SignedEvent.sign(
                [
                    "id": .string("ev-\($0)"), "type": "test.harvest", "lot": .string("LA-ST25-\($0)"),
                    "farmer": "Nguyễn Văn Bảy",
                ], with: key, keyName: "htx-tan-lap")
        }
        _ = try Ledger(path: ledger).append(events)
    }
}

struct CLIError: Error, CustomStringConvertible {
    let result: CommandResult
    var description: String { "exit \(result.status): \(result.stderr)" }
}
