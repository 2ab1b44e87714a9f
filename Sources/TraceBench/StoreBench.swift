import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerStores

/// `TraceBench stores --ledger LOCATION [--replica LOCATION]`: one store's column of the store
/// comparison (`tools/bench stores`, `tools/load stores`), the same measures for a SQLite file
/// and a postgres:// URL. The supply-chain ledger grows in stages (durable ingest timed), with
/// `verify-lot` at each; then, at the largest, the lot API under wrk from one `trace serve` and
/// from two (the second `--read-only` on `--replica`: a hot standby, or the same file), the load
/// split across both (`--serve no` leaves the servers out). Rows are `| measure | value |`, in the same order for every store, so the
/// script can set the columns side by side.
enum StoreBench {
    static func run(_ options: Options) throws {
        guard let location = options.values["ledger"] else {
            throw BenchFailure("stores needs --ledger (a SQLite file path or a postgres:// URL)")
        }
        let stages = (options.values["stages"] ?? "10000,100000").split(separator: ",").compactMap { Int($0) }
        let seconds = options.int("seconds", 10)
        let connections = options.int("connections", 32)
        let lookups = options.int("lookups", 200)
        let dir = options.string("dir", NSTemporaryDirectory() + "trace-stores-\(getpid())")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let trace = bin.appendingPathComponent("trace").path

        let bench = try BenchChain(path: location)
        let chain = bench.chain
        let ingest = StagedIngest(bench)
        var rows: [String] = []
        for stage in stages {
            try ingest.grow(to: stage)
            _ = try chain.ledger.checkpoint(signingWith: bench.operatorKey)
            // A fresh connection, as a `trace verify-lot` process opens one.
            let opened = try SupplyChain(ledger: Ledger(at: LedgerLocation(location), readOnly: true))
            var times: [Double] = []
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<lookups {
                let lot = "R\(Int.random(in: 0..<ingest.groups, using: &generator))"
                let t = now()
                let result = try LotVerifier(chain: opened).verify(lot: lot)
                times.append(now() - t)
                guard result.ok else { throw BenchFailure("verify-lot \(lot): \(String(describing: result.failure))") }
            }
            times.sort()
            let entries = grouped(Double(try opened.ledger.size()))
            rows.append(
                "| `verify-lot` at \(stage / 1000)k (\(entries) entries), median / p99 | "
                    + String(format: "%.2f / %.2f ms |", times[times.count / 2] * 1000, times[times.count * 99 / 100] * 1000))
        }
        rows.insert(
            "| durable ingest through `SupplyChain.submit` (as `trace submit`), batches of 10,000 | \(grouped(Double(ingest.events) / ingest.seconds)) events/s |",
            at: 0)
        let size = try chain.ledger.size()
        let storeRow = "store per entry (SQLite: the file and its WAL; PostgreSQL: the schema's tables, indexes and TOAST)"
        if location.hasPrefix("postgres") {
            let bytes = try postgresBytes(location)
            rows.append(
                "| \(storeRow) | \(grouped(Double(bytes) / Double(size))) bytes |")
        } else {
            rows.append(
                "| \(storeRow) | \(grouped(Double(storeBytes(location)) / Double(size))) bytes |")
        }
        try bench.operatorKey.write(toFile: dir + "/operator.key")
        if options.string("serve", "yes") != "no" {
            rows += try serve(
                location, replica: options.values["replica"] ?? location, groups: ingest.groups, size: size,
                trace: trace, seconds: seconds, connections: connections, dir: dir, key: dir + "/operator.key")
        }
        print("| measure (\(grouped(Double(size))) entries at the end) | value |")
        print("|---|---:|")
        for row in rows { print(row) }
    }

    /// The lot API from one `trace serve` on `location` (with the operator key), then from that one
    /// and a `--read-only` one on `replica` together, each given half the connections.
    static func serve(
        _ location: String, replica: String, groups: Int, size: UInt64, trace: String, seconds: Int, connections: Int,
        dir: String, key: String
    ) throws -> [String] {
        guard let wrk = ServerBench.which("wrk"), let curl = ServerBench.which("curl") else {
            throw BenchFailure("the lot API load needs wrk and curl (tools/setup installs them)")
        }
        let script = dir + "/random-lots.lua"
        try """
        math.randomseed(\(getpid()))
        request = function()
          return wrk.format("GET", "/v1/lots/R" .. math.random(0, \(groups - 1)))
        end
        """.write(toFile: script, atomically: true, encoding: .utf8)

        var servers: [Process] = []
        defer {
            for server in servers {
                server.terminate()
                server.waitUntilExit()
            }
        }
        let primary = Process()
        primary.executableURL = URL(fileURLWithPath: trace)
        primary.arguments = ["serve", "--ledger", location, "--key", key, "--port", "0"]
        servers.append(primary)
        let primaryBase = try ServerBench.startServe(primary, output: dir + "/serve-primary.out")

        /// Asks for every export lot once, in order, on one connection (each answer made and
        /// kept): requests/s.
        func firstPass(_ base: String, _ name: String) throws -> Double {
            let config = dir + "/every-lot-\(name).curl"
            try (0..<groups).map { "url = \"\(base)/v1/lots/R\($0)\"\noutput = \"/dev/null\"\n" }.joined()
                .write(toFile: config, atomically: true, encoding: .utf8)
            let start = now()
            let codes = try ServerBench.capture(curl, ["-s", "-K", config, "-w", "%{http_code}\n"])
            guard codes.split(separator: "\n").allSatisfy({ $0 == "200" }) else {
                throw BenchFailure("\(base): not every lot answered 200")
            }
            return Double(groups) / (now() - start)
        }
        /// wrk with `c` connections on `base`, started now; its output once it ends.
        func wrkProcess(_ base: String, _ c: Int) throws -> (Process, Pipe) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: wrk)
            p.arguments = ["-t1", "-c\(c)", "-d\(seconds)s", "--latency", "-s", script, base]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            return (p, pipe)
        }
        func finish(_ run: (Process, Pipe)) -> String {
            let text = String(decoding: run.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            run.0.waitUntilExit()
            return text
        }
        func rate(_ text: String) -> Double { ServerBench.field(text, "Requests/sec:").flatMap(Double.init) ?? .nan }
        func errors(_ text: String) -> Int { ServerBench.field(text, "Non-2xx or 3xx responses:").flatMap { Int($0) } ?? 0 }

        var rows: [String] = []
        rows.append(
            "| lot API, first request for each of the \(grouped(Double(groups))) export lots, one connection (answer made) | \(grouped(try firstPass(primaryBase, "primary"))) req/s |"
        )
        let one = finish(try wrkProcess(primaryBase, connections))
        rows.append(
            "| lot API `GET /v1/lots/{code}`, random export lots, one `trace serve`, \(connections) connections: req/s, p99 | "
                + "\(grouped(rate(one))) req/s, \(String(format: "%.2f", ServerBench.latency(one, "99%"))) ms |")
        if let hwm = peakRSS(primary.processIdentifier) {
            rows.append("| peak RSS of that `trace serve` | \(grouped(Double(hwm) / 1024)) MiB |")
        }

        // The second server: read-only, on the replica (a hot standby streaming from the primary),
        // once the replica holds every entry.
        let second = Process()
        second.executableURL = URL(fileURLWithPath: trace)
        second.arguments = ["serve", "--ledger", replica, "--read-only", "--primary", primaryBase, "--port", "0"]
        servers.append(second)
        let secondBase = try ServerBench.startServe(second, output: dir + "/serve-replica.out")
        let caughtUp = now()
        while true {
            let ready = (try? ServerBench.capture(curl, ["-s", secondBase + "/readyz"])).flatMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            if let ready, (ready["checkpoint"] as? NSNumber)?.uint64Value == size { break }
            guard now() - caughtUp < 120 else { throw BenchFailure("the replica did not reach \(size) entries in 120 s") }
            Thread.sleep(forTimeInterval: 0.2)
        }
        _ = try firstPass(secondBase, "replica")
        let runs = [try wrkProcess(primaryBase, connections / 2), try wrkProcess(secondBase, connections - connections / 2)]
        let texts = runs.map(finish)
        let total = texts.map(rate).reduce(0, +)
        let p99s = texts.map { ServerBench.latency($0, "99%") }
        rows.append(
            "| the same, two `trace serve` (the second `--read-only` on the replica), \(connections / 2) connections each: req/s, p99 (primary / replica) | "
                + "\(grouped(total)) req/s, \(String(format: "%.2f / %.2f", p99s[0], p99s[1])) ms |")
        let failed = ([one] + texts).map(errors).reduce(0, +)
        guard failed == 0 else { throw BenchFailure("\(failed) lot API answers were not 2xx") }
        return rows
    }

    /// The bytes a PostgreSQL ledger's schema occupies (`?schema=`, else public), asked of the
    /// server through psql.
    static func postgresBytes(_ url: String) throws -> Int {
        let parts = url.split(separator: "?", maxSplits: 1)
        let schema =
            parts.count > 1
            ? parts[1].split(separator: "&").first { $0.hasPrefix("schema=") }.map { String($0.dropFirst(7)) } ?? "public"
            : "public"
        let psql =
            ServerBench.which("psql")
            ?? (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")).flatMap { versions in
                versions.sorted().last.map { "/usr/lib/postgresql/\($0)/bin/psql" }
            }
        guard let psql else { throw BenchFailure("psql not found (tools/setup installs postgresql)") }
        let query =
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = '\(schema)' AND c.relkind = 'r'"
        let text = try ServerBench.capture(psql, [String(parts[0]), "-Atc", query])
        guard let bytes = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchFailure("psql answered \(text)")
        }
        return bytes
    }

    /// A process's peak resident set (VmHWM), in KiB.
    static func peakRSS(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }
}
