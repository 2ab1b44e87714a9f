import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite

/// The verification benchmark: one realistic supply-chain ledger grown in stages (10k, 100k,
/// 1M entries by default), `verify-lot` timed at each stage, then at the largest: the full
/// `trace verify`, `verify --since` after 1% more, ingest, memory and store size, against the
/// Ed25519 limit measured in the same run.
enum VerificationBench {
    static func run(_ options: Options) throws {
        let stages = (options.values["stages"] ?? "10000,100000,1000000").split(separator: ",").compactMap { Int($0) }
        let dir = options.string("dir", NSTemporaryDirectory() + "trace-verification-\(getpid())")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if options.values["dir"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let path = dir + "/verification.db"
        try? FileManager.default.removeItem(atPath: path)
        let trace = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("trace")
            .path

        let bench = try BenchChain(path: path)
        let chain = bench.chain
        let operatorKey = bench.operatorKey

        let ingest = StagedIngest(bench)
        /// Appends whole groups until the ledger holds about `target` entries, then signs a checkpoint.
        func grow(to target: Int) throws {
            try ingest.grow(to: target)
            _ = try chain.ledger.checkpoint(signingWith: operatorKey)
        }

        var rows: [String] = []
        var lotChecks: [(entries: UInt64, median: Double, p99: Double)] = []
        for stage in stages {
            try grow(to: stage)
            let opened = try SupplyChain(ledger: Ledger(path: path))
            var times: [Double] = []
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<200 {
                let lot = "R\(Int.random(in: 0..<ingest.groups, using: &generator))"
                let t = now()
                let result = try LotVerifier(chain: opened).verify(lot: lot)
                times.append(now() - t)
                precondition(result.ok, "verify-lot \(lot): \(String(describing: result.failure))")
            }
            times.sort()
            lotChecks.append((try opened.ledger.size(), times[times.count / 2], times[times.count * 99 / 100]))
        }
        let entries = try chain.ledger.size()
        let cores = ParallelVerifier.defaultWorkers
        let limit = CryptoBench.opensslVerifyRate(seconds: 3).map { $0 * Double(cores) } ?? .nan
        // The limit the targets use: libsodium's own rate on one core here, times the cores.
        let sodiumSingle = CryptoBench.verifierRate(.sodium, checks: try CryptoBench.sampleChecks(), seconds: 3)
        let sodiumLimit = sodiumSingle * Double(cores)
        func ratio(_ rate: Double) -> String { String(format: "%.2f", rate / limit) }
        func sodiumRatio(_ rate: Double) -> String { String(format: "%.2f", rate / sodiumLimit) }

        // The whole `trace verify`, as a child process: time and peak memory; then on one core.
        let (fullSeconds, fullRSS) = try child(trace, ["verify", "--ledger", path, "--json"])
        let oneCoreSeconds = try? child("/usr/bin/taskset", ["-c", "0", trace, "verify", "--ledger", path, "--json"]).0
        // The reference verifier a user would write from FORMAT.md (Python, `cryptography`).
        let python = FileManager.default.currentDirectoryPath + "/tools/verify-ledger.py"
        let pythonSeconds =
            FileManager.default.fileExists(atPath: python)
            ? try? child("/usr/bin/taskset", ["-c", "0", "/usr/bin/env", "python3", python, path]).0 : nil
        // `verify --since` after 1% more entries.
        let saved = dir + "/trusted.note"
        try (try chain.ledger.latestCheckpoint()?.note ?? "").write(toFile: saved, atomically: true, encoding: .utf8)
        try grow(to: Int(entries) + Int(entries) / 100)
        let (sinceSeconds, _) = try child(trace, ["verify", "--ledger", path, "--since", saved, "--json"])
        let storePerEntry = Double(storeBytes(path)) / Double(try chain.ledger.size())
        // The write-ahead log stays at the size of the largest transaction since it was last
        // reset (about 10 MB for a batch of 10,000 events): half the figure above at 20k entries,
        // 1% at 1M. The file alone, after a truncating checkpoint, is what a backup holds.
        try (chain.ledger.store as? SQLiteLedgerStore)?.scrub()
        let fileBytes = Double(storeBytes(path)) / Double(try chain.ledger.size())
        let canonical = try chain.ledger.store.read { r in
            try r.entries(from: 0, limit: 100_000).reduce(0) { $0 + $1.bytes.count }
        }
        let canonicalAverage = Double(canonical) / Double(min(100_000, Int(try chain.ledger.size())))

        rows.append(
            "| Ed25519 limit: `openssl speed` verify rate on one core x \(cores) cores | \(grouped(limit))/s | 1.00 |"
        )
        rows.append(
            "| libsodium limit: our libsodium verify rate on one core x \(cores) cores | \(grouped(sodiumLimit))/s | \(ratio(sodiumLimit)) of the OpenSSL limit |"
        )
        let fullRate = Double(entries) / fullSeconds
        rows.append(
            "| full `trace verify` of \(grouped(Double(entries))) entries (every signature, every rule) | \(grouped(fullRate)) entries/s, \(String(format: "%.1f", fullSeconds)) s | \(sodiumRatio(fullRate)) of the libsodium limit (target 0.9); \(ratio(fullRate)) of the OpenSSL limit |"
        )
        if let oneCoreSeconds {
            let oneCoreRate = Double(entries) / oneCoreSeconds
            rows.append(
                "| `trace verify` on one core (`taskset -c 0`) | \(grouped(oneCoreRate)) entries/s, \(String(format: "%.1f", oneCoreSeconds)) s | \(String(format: "%.2f", oneCoreRate / sodiumSingle)) of libsodium's one-core rate; all \(cores) cores \(String(format: "%.2f", oneCoreSeconds / fullSeconds))x one core |"
            )
            if let pythonSeconds {
                let pythonRate = Double(entries) / pythonSeconds
                rows.append(
                    "| Python reference verifier (`tools/verify-ledger.py`, `cryptography`), one core | \(grouped(pythonRate)) entries/s, \(String(format: "%.1f", pythonSeconds)) s | ours on one core \(String(format: "%.2f", oneCoreRate / pythonRate))x Python |"
                )
            }
        }
        rows.append(
            "| `trace verify --since` after 1% more entries | \(String(format: "%.2f", sinceSeconds)) s | \(String(format: "%.1f", 100 * sinceSeconds / fullSeconds))% of the full verify |"
        )
        for check in lotChecks {
            rows.append(
                "| `verify-lot` at \(grouped(Double(check.entries))) entries, median / p99 | \(String(format: "%.2f", check.median * 1000)) / \(String(format: "%.2f", check.p99 * 1000)) ms | |"
            )
        }
        if let first = lotChecks.first, let last = lotChecks.last {
            rows.append(
                "| `verify-lot` median, largest ledger over smallest | | \(String(format: "%.2f", last.median / first.median))x |"
            )
        }
        let ingestRate = Double(ingest.events) / ingest.seconds
        rows.append(
            "| ingest through `SupplyChain.submit` (as `trace submit`), durable, batches of 10,000 | \(grouped(ingestRate)) events/s | \(ratio(ingestRate)) of the limit |"
        )
        rows.append("| peak RSS of the full `trace verify` | \(grouped(Double(fullRSS) / 1024)) MiB | |")
        rows.append(
            "| store per entry (SQLite file and WAL: entries, Merkle nodes, rules index) | \(grouped(storePerEntry)) bytes | \(String(format: "%.2f", storePerEntry / canonicalAverage))x the canonical entry (\(grouped(canonicalAverage)) bytes) |"
        )
        rows.append(
            "| the same, the file alone after a truncating checkpoint (no WAL) | \(grouped(fileBytes)) bytes | \(String(format: "%.2f", fileBytes / canonicalAverage))x the canonical entry |"
        )

        print("### Verification and ingest on a \(grouped(Double(entries)))-entry supply-chain ledger\n")
        print("| measure | value | ratio |")
        print("|---|---:|---:|")
        for row in rows { print(row) }
        print("")
    }

    /// Runs a child process under GNU time; its wall time and its own peak RSS (KiB). (The
    /// rusage of this process's children would not do: a forked child counts the resident
    /// memory of this large process until it execs.)
    static func child(_ executable: String, _ arguments: [String]) throws -> (Double, Int) {
        let report = NSTemporaryDirectory() + "trace-bench-rss-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        p.arguments = ["-f", "%M", "-o", report, executable] + arguments
        p.standardOutput = FileHandle.nullDevice
        let t = now()
        try p.run()
        p.waitUntilExit()
        let seconds = now() - t
        precondition(p.terminationStatus == 0, "\(arguments.joined(separator: " ")) failed")
        let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        return (seconds, text.split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0)
    }
}
