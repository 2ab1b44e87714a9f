import Foundation
import TestSupport
import Testing

/// Go's reference implementations of signed notes and RFC 6962 trees accept what we print.
struct InteropTests {
    static let go = Command.which("go")
    static let goLibraries = "/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog"

    @Test(
        .enabled(
            if: go != nil && FileManager.default.fileExists(atPath: goLibraries),
            "SKIPPED: Go interop needs golang-go and golang-golang-x-mod-dev (tools/test installs them)"))
    func goNoteOpenAndTlogCheckRecordAcceptOurCheckpointAndProofs() throws {
        let h = try CLIHarness()
        try h.appendEvents(40)
        #expect(try h.run("checkpoint").status == 0)
        let source = Bundle.module.url(forResource: "checkproof", withExtension: "go", subdirectory: "Interop")!
        let work = try Scratch.directory()
        let program = work + "/checkproof.go"
        try FileManager.default.copyItem(atPath: source.path, toPath: program)
        let env = ["GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOCACHE": work + "/cache", "HOME": work]
        let build = try Command.run(Self.go!, ["build", "-o", work + "/checkproof", program], environment: env, directory: work)
        try #require(build.status == 0, "go build: \(build.stderr)")
        for entry in [0, 1, 17, 40] {
            let proof = try h.run("prove", "--entry", String(entry), "--json")
            let file = work + "/proof-\(entry).json"
            try proof.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            let check = try Command.run(work + "/checkproof", [h.operatorVKey, file])
            #expect(check.status == 0 && check.stdout == "ok\n", "entry \(entry): \(check.stderr)")
        }
        // And it refuses a proof we broke, so the check is real.
        let proof = try h.run("prove", "--entry", "17", "--json").stdout
        let broken = proof.replacingOccurrences(of: "\"entry\":17", with: "\"entry\":18")
        try broken.write(toFile: work + "/broken.json", atomically: true, encoding: .utf8)
        #expect(try Command.run(work + "/checkproof", [h.operatorVKey, work + "/broken.json"]).status == 1)
        let stranger = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        #expect(try Command.run(work + "/checkproof", [stranger, work + "/proof-17.json"]).status == 1)
    }
}
