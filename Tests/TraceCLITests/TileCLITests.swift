import CanonicalJSON
import Foundation
import TestSupport
import Testing

/// The log as C2SP tlog-tiles, served and published, read by Go's reference tlog; and the
/// operator's refusal to sign a second history.
struct TileCLITests {
    static let go = InteropTests.go
    static let goReady = go != nil && FileManager.default.fileExists(atPath: InteropTests.goLibraries)

    /// Builds the Go reader of tiles (Debian's golang x/mod) into `work`.
    func buildReader(_ work: String) throws -> String {
        let source = Bundle.module.url(forResource: "readtiles", withExtension: "go", subdirectory: "Interop")!
        let program = work + "/readtiles.go"
        try FileManager.default.copyItem(atPath: source.path, toPath: program)
        let env = ["GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOCACHE": work + "/cache", "HOME": work]
        let build = try Command.run(
            Self.go!, ["build", "-o", work + "/readtiles", program], environment: env, directory: work)
        try #require(build.status == 0, "go build: \(build.stderr)")
        return work + "/readtiles"
    }

    /// Every file under `folder`, relative to it.
    func files(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder + "/" + $0, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    /// `curl` a URL: status, headers (lower-case names) and the body written to `file`.
    func fetch(_ url: String, to file: String) throws -> (status: Int, headers: String) {
        let result = try Command.run("curl", ["-s", "-S", "-D", file + ".headers", "-o", file, "-w", "%{http_code}", url])
        let headers = (try? String(contentsOfFile: file + ".headers", encoding: .utf8)) ?? ""
        return (Int(result.stdout) ?? 0, headers.lowercased() + result.stderr)
    }

    @Test(.enabled(if: goReady, "SKIPPED: Go interop needs golang-go and golang-golang-x-mod-dev (tools/test installs them)"))
    func goTlogReadsOurServedAndPublishedTilesAndProvesRecords() throws {
        let h = try CLIHarness()
        try h.appendEvents(600)  // 604 entries: two full tiles, partial tiles at levels 0 and 1
        #expect(try h.run("checkpoint").status == 0)
        let published = try h.run("publish", "--out", "pub")
        #expect(published.status == 0, "\(published.stderr)")
        let pub = h.directory + "/pub"
        let reader = try buildReader(try Scratch.directory())
        let entries = ["0", "1", "255", "256", "511", "600", "603"]
        let fromFolder = try Command.run(reader, [h.operatorVKey, pub] + entries)
        #expect(fromFolder.status == 0 && fromFolder.stdout == "ok\n", "published: \(fromFolder.stderr)")

        let server = try ServerProcess(["--ledger", h.ledger], directory: h.directory)
        defer { server.stop() }
        let fromServer = try Command.run(reader, [h.operatorVKey, server.url] + entries)
        #expect(fromServer.status == 0 && fromServer.stdout == "ok\n", "served: \(fromServer.stderr)")
        // The server answers every published file with the same bytes.
        let scratch = try Scratch.directory()
        let names = files(pub)
        #expect(names.contains("tile/0/001") && names.contains("tile/0/002.p/92") && names.contains("tile/1/000.p/2"))
        #expect(names.contains("tile/entries/002.p/92") && names.contains("checkpoint"))
        for name in names {
            let (status, headers) = try fetch(server.url + "/" + name, to: scratch + "/body")
            #expect(status == 200, "\(name): \(headers)")
            #expect(
                FileManager.default.contents(atPath: scratch + "/body") == FileManager.default.contents(atPath: pub + "/" + name))
            if name == "checkpoint" {
                #expect(
                    headers.contains("content-type: text/plain; charset=utf-8") && headers.contains("cache-control: no-cache"))
            } else {
                #expect(headers.contains("content-type: application/octet-stream"))
                #expect(headers.contains("cache-control: public, max-age=31536000, immutable"), "\(name)")
            }
        }
        #expect(try fetch(server.url + "/tile/0/002", to: scratch + "/body").status == 404)
        #expect(try fetch(server.url + "/tile/0/2", to: scratch + "/body").status == 404)

        // A later run adds only what is new, and Go still reads it.
        try h.appendEvents(200, from: 601)
        #expect(try h.run("checkpoint").status == 0)
        let again = try h.json("publish", "--out", "pub")
        #expect(again["previousSize"]?.intValue == 604 && again["checkpointSize"]?.intValue == 804)
        // Kept: full tiles 0 and 1 at level 0 and of entries; new: tile 2 of each, the partials of 804.
        #expect(again["kept"]?.intValue == 4 && again["written"]?.intValue == 5)
        let later = try Command.run(reader, [h.operatorVKey, pub, "0", "603", "700", "803"])
        #expect(later.status == 0 && later.stdout == "ok\n", "republished: \(later.stderr)")
    }

    /// Starts the signing `trace serve`, expecting a refusal; returns what it said.
    func refusedServe(_ h: CLIHarness) throws -> String {
        do {
            let server = try ServerProcess(["--ledger", h.ledger], directory: h.directory)
            server.stop()
            Issue.record("trace serve started on a ledger behind or forked from its signed checkpoint")
            return ""
        } catch let failure as ServerFailure {
            return failure.message
        }
    }

    @Test func aRolledBackStoreIsRefusedASecondCheckpoint() throws {
        let h = try CLIHarness()
        try h.appendEvents(10)
        #expect(try h.run("checkpoint").status == 0)
        // A backup taken now (no process holds the file), then more entries, signed.
        try FileManager.default.copyItem(atPath: h.ledger, toPath: h.directory + "/backup.db")
        try h.appendEvents(5, from: 11)
        let signed = try h.run("checkpoint")
        #expect(signed.status == 0)
        try signed.stdout.write(toFile: h.directory + "/signed.note", atomically: true, encoding: .utf8)
        // The backup is restored over the ledger: 5 signed entries are gone.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: h.ledger + suffix) }
        try FileManager.default.copyItem(atPath: h.directory + "/backup.db", toPath: h.ledger)
        let refused = try h.run("checkpoint")
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains("[ledger.behind]") && refused.stderr.contains("trace.operator.checkpoint"),
            "\(refused.stderr)")
        // The signing server refuses to start, and says how to recover.
        let serve = try refusedServe(h)
        #expect(serve.contains("[ledger.behind]") && serve.contains("Recover the missing entries"), "\(serve)")
        // verify notices the ledger is shorter than the checkpoint it is given.
        let verify = try h.run("verify", "--since", "signed.note")
        #expect(verify.status == 1 && verify.stderr.contains("holds 14 entries"), "\(verify.stderr)")
        // A server that only reads starts, and reports its lag.
        try FileManager.default.moveItem(atPath: h.operatorKeyPath, toPath: h.directory + "/elsewhere.key")
        let reader = try ServerProcess(["--ledger", h.ledger], directory: h.directory)
        #expect(reader.isRunning)
        reader.stop()
        #expect(reader.stderr.contains("5 entries behind"), "\(reader.stderr)")
        try FileManager.default.moveItem(atPath: h.directory + "/elsewhere.key", toPath: h.operatorKeyPath)
        // Different entries past the signed size: signing them would publish a fork.
        try h.appendEvents(8, from: 100)
        let fork = try h.run("checkpoint")
        #expect(fork.status == 1 && fork.stderr.contains("[ledger.fork]"), "\(fork.stderr)")
        #expect(try refusedServe(h).contains("[ledger.fork]"))
    }

    @Test func anOversizedPlotGeometryIsRefusedWithItsSize() throws {
        let h = try CLIHarness()
        // A 2.5 ha circle of 4,000 vertices: far over the 65,535 bytes an entry may hold.
        var ring = (0..<4000).map { i -> String in
            let angle = -Double(i) / 4000 * 2 * Double.pi
            return String(format: "[%.7f,%.7f]", 106.5 + 0.000818 * cos(angle), 10.6 + 0.000804 * sin(angle))
        }
        ring.append(ring[0])
        let geometry = #"{"type":"Polygon","coordinates":[["# + ring.joined(separator: ",") + "]]}"
        let result = try h.run(
            "plot", "add", "--key", "htx-tan-lap.key", "--id", "P-BIG", "--farm", "trang-trai-bay", "--area-ha", "2.5",
            "--crop", "lúa", "--geometry", geometry)
        #expect(result.status == 2)
        #expect(result.stderr.contains("[ledger.entry_too_large]") && result.stderr.contains("geometry"), "\(result.stderr)")
        #expect(try h.json("verify")["entries"]?.intValue == CLIHarness.setupEntries)
    }
}
