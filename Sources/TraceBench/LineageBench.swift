import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite

/// Lineage on a large supply-chain ledger: harvests merged ten by ten, each merged lot shipped to
/// an exporter, received and exported. Times the library and the real CLI.
enum LineageBench {
    static func run(_ options: Options) throws {
        let harvests = options.int("lots", 100_000) / 11 * 10  // harvest lots plus one merged lot per ten
        let dir = options.string("dir", NSTemporaryDirectory() + "trace-lineage-\(getpid())")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if options.values["dir"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let path = dir + "/lineage.db"
        try? FileManager.default.removeItem(atPath: path)

        let bench = try BenchChain(path: path)
        let chain = bench.chain
        let operatorKey = bench.operatorKey
        let coop = bench.coop
        let exporter = bench.exporter

        let started = now()
        var events: [(String, PrivateKey, String, [String: JSONValue])] = []
        for i in 0..<harvests {
            events.append(
                (
                    "coop", coop, "harvest",
                    [
                        "lot": .string("H-\(i)"), "product": "Lúa ST25", "quantity": "1000", "unit": "kg", "plot": "P-1",
                        "harvested": "2026-07-01",
                    ]
                ))
            if i % 10 == 9 {
                let m = i / 10
                events.append(
                    (
                        "coop", coop, "merge",
                        ["inputs": .array((i - 9...i).map { ["lot": .string("H-\($0)")] }), "output": .string("M-\(m)")]
                    ))
                events.append(("coop", coop, "ship", ["lot": .string("M-\(m)"), "to": "exporter"]))
                events.append(("exporter", exporter, "receive", ["lot": .string("M-\(m)")]))
                events.append(
                    (
                        "exporter", exporter, "export",
                        ["lot": .string("M-\(m)"), "buyer": "Hamburg", "country": "DE", "container": .string("MSCU\(m)")]
                    ))
            }
        }
        var i = 0
        var ingest = 0.0  // time inside submit only: checks, rules, durable commit; not the client's signing
        while i < events.count {
            // Events are made in order, so their times never run backwards; signing is parallel.
            let slice = events[i..<min(events.count, i + 10_000)].map { ($0.1, $0.0, SupplyChain.event($0.2, actor: $0.0, $0.3)) }
            let signed = try parallelMap(slice.count) { j in
                try SignedEvent.sign(slice[j].2, with: slice[j].0, keyName: slice[j].1)
            }
            let t = now()
            _ = try chain.submit(signed)
            ingest += now() - t
            i += slice.count
        }
        let build = now() - started
        _ = try chain.ledger.checkpoint(signingWith: operatorKey)
        let entries = try chain.ledger.size()
        let lots = harvests + harvests / 10
        let fileBytes = storeBytes(path)
        let entryBytes = try chain.ledger.store.read { r in
            try r.entries(from: 0, limit: Int(entries)).reduce(0) { $0 + $1.bytes.count }
        }

        let t0 = now()
        let reopened = try SupplyChain(ledger: Ledger(path: path))
        let open = now() - t0
        var full = DomainState()
        let t2 = now()
        _ = try SupplyChain.replay(reopened.ledger, into: &full)
        let replay = now() - t2
        let middle = "M-\(harvests / 20)"
        let t1 = now()
        let lineage = try Lineage(chain: reopened, lot: middle)
        _ = try CanonicalJSON.encode(["up": lineage.json(upstream: true), "down": lineage.json(upstream: false)])
        _ = try lineage.csv()
        let query = now() - t1

        var lotChecks: [Double] = []
        for _ in 0..<20 {
            let t = now()
            let result = try LotVerifier(chain: reopened).verify(lot: middle)
            lotChecks.append(now() - t)
            precondition(result.ok, "\(String(describing: result.failure))")
        }
        lotChecks.sort()
        var cli = [Double]()
        let trace = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("trace")
            .path
        if FileManager.default.isExecutableFile(atPath: trace) {
            for _ in 0..<3 {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: trace)
                p.arguments = ["lineage", middle, "--ledger", path]
                p.standardOutput = FileHandle.nullDevice
                let t = now()
                try p.run()
                p.waitUntilExit()
                cli.append(now() - t)
            }
        }
        // The whole `trace verify` (every signature, every rule) as a child process: time and peak memory.
        var verifySeconds: Double?
        var verifyRSS: Int?
        if FileManager.default.isExecutableFile(atPath: trace) {
            (verifySeconds, verifyRSS) = try VerificationBench.child(trace, ["verify", "--ledger", path, "--json"])
        }
        // Incremental: save the signed checkpoint, append 1% more entries (harvests) and sign a
        // new one, then `trace verify --since` the saved one.
        var sinceSeconds: Double?
        if let verifySeconds, FileManager.default.isExecutableFile(atPath: trace) {
            let saved = dir + "/trusted.note"
            try (try chain.ledger.latestCheckpoint()?.note ?? "").write(toFile: saved, atomically: true, encoding: .utf8)
            let more = Int(entries) / 100
            let extra = (0..<more).map {
                SupplyChain.event(
                    "harvest", actor: "coop",
                    [
                        "lot": .string("X-\($0)"), "product": "Lúa ST25", "quantity": "1000", "unit": "kg", "plot": "P-1",
                        "harvested": "2026-07-01",
                    ])
            }
            let signedExtra = try parallelMap(extra.count) { try SignedEvent.sign(extra[$0], with: coop, keyName: "coop") }
            let appender = try SupplyChain(ledger: Ledger(path: path))
            _ = try appender.submit(signedExtra)
            _ = try appender.ledger.checkpoint(signingWith: operatorKey)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: trace)
            p.arguments = ["verify", "--ledger", path, "--since", saved, "--json"]
            p.standardOutput = FileHandle.nullDevice
            let t = now()
            try p.run()
            p.waitUntilExit()
            precondition(p.terminationStatus == 0, "verify --since failed")
            sinceSeconds = now() - t
            _ = verifySeconds
        }
        let limit = CryptoBench.opensslVerifyRate(seconds: 3).map { $0 * Double(ParallelVerifier.defaultWorkers) }
        func ofLimit(_ rate: Double) -> String {
            limit.map { ", \(String(format: "%.2f", rate / $0)) of the Ed25519 limit (\(grouped($0))/s)" } ?? ""
        }
        print("### Lineage on a \(grouped(Double(lots)))-lot ledger (\(grouped(Double(entries))) entries)\n")
        print("| measure | value |")
        print("|---|---:|")
        print("| build: sign on all cores, append through the rules in batches of 10,000 | \(String(format: "%.1f", build)) s |")
        print(
            "| open: read the index beside the entries (parties, recalls; lots on demand) | \(String(format: "%.3f", open)) s |")
        print("| full replay of every entry through the rules (what `trace verify` adds) | \(String(format: "%.2f", replay)) s |")
        print(
            "| lineage of one export lot (tree up and down, JSON and FSMA CSV), after open | \(String(format: "%.2f", query * 1000)) ms |"
        )
        if !cli.isEmpty {
            print(
                "| `trace lineage LOT` wall time, median of 3 (process start, open, query) | \(String(format: "%.2f", cli.sorted()[1])) s |"
            )
        }
        print(
            "| `verify-lot` of that lot (its story's entries, proofs, signatures, rules), median of 20 | \(String(format: "%.1f", lotChecks[10] * 1000)) ms |"
        )
        let ingestRate = Double(events.count) / ingest
        print(
            "| ingest through `SupplyChain.submit` (signatures on all cores, rules, index, durable commit) | \(grouped(ingestRate)) events/s\(ofLimit(ingestRate)) |"
        )
        if let verifySeconds, let verifyRSS {
            let rate = Double(entries) / verifySeconds
            print(
                "| `trace verify` (every signature, every rule), whole process | \(String(format: "%.1f", verifySeconds)) s, \(grouped(rate)) entries/s\(ofLimit(rate)), peak RSS \(grouped(Double(verifyRSS) / 1024)) MiB |"
            )
        }
        if let sinceSeconds, let verifySeconds {
            print(
                "| `trace verify --since` after 1% more entries, whole process | \(String(format: "%.2f", sinceSeconds)) s, \(String(format: "%.1f", 100 * sinceSeconds / verifySeconds))% of the full verify |"
            )
        }
        print("| canonical entry bytes, average | \(grouped(Double(entryBytes) / Double(entries))) bytes |")
        print(
            "| SQLite file per entry (entries, Merkle nodes, rules index) | \(grouped(Double(fileBytes) / Double(entries))) bytes (\(String(format: "%.2f", Double(fileBytes) / Double(entryBytes))) x the entry) |"
        )
        print("")
    }
}
