import Foundation
import TestSupport
import Testing

/// README's "A short tour" runs as written: its shell block, taken from the README itself, is run
/// by bash in an empty folder with the built `trace` first on the PATH; every command must
/// succeed except those marked `!`, which must be refused.
struct ReadmeTourTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The first ```sh block after the "A short tour" heading.
    static func tour() throws -> String {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let heading = readme.range(of: "## A short tour\n"),
            let open = readme.range(of: "```sh\n", range: heading.upperBound..<readme.endIndex),
            let close = readme.range(of: "\n```", range: open.upperBound..<readme.endIndex)
        else { throw ServerFailure(message: "README.md has no \"A short tour\" shell block") }
        return String(readme[open.upperBound..<close.lowerBound])
    }

    @Test func theREADMETourRunsAsWritten() throws {
        let script = try Self.tour()
        let directory = try Scratch.directory()
        let path = Command.productsDirectory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        // errexit stops at the first command that fails; a `!` command that succeeds fails too.
        let guarded = "set -euo pipefail\nshopt -s expand_aliases\n" + script.replacingOccurrences(of: "\n! ", with: "\nrefused ")
        let run = try Command.run(
            "bash", ["-c", "refused() { if \"$@\"; then echo \"not refused: $*\" >&2; return 1; fi; }\n" + guarded],
            environment: ["PATH": path, "LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""], directory: directory)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory + "/cert.json"))
        #expect(FileManager.default.fileExists(atPath: directory + "/plots.geojson"))
        #expect(run.stdout.contains("VERIFIED"), "\(run.stdout)")
    }
}
