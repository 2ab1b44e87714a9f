import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// `trace serve` under load, on the same machine as its clients: wrk against the lot API and the
/// buyer's page of a supply-chain ledger (100,000 entries by default), and HTTP batch ingest
/// against `trace submit` of the same events.
enum ServerBench {
    static func run(_ options: Options) throws {
        let entries = options.int("entries", 100_000)
        let seconds = options.int("seconds", 10)
        let connections = options.int("connections", 32)
        let ingest = options.int("ingest", 10_000)
        let dir = options.string("dir", NSTemporaryDirectory() + "trace-server-bench-\(getpid())")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if options.values["dir"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let path = dir + "/server.db"
        try? FileManager.default.removeItem(atPath: path)
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let trace = bin.appendingPathComponent("trace").path
        guard let wrk = which("wrk"), let curl = which("curl") else {
            throw BenchFailure("the server benchmark needs wrk and curl (tools/setup installs them)")
        }

        // The ledger: whole export stories, 15 entries each, and a checkpoint over them.
        let bench = try BenchChain(path: path)
        var groups = 0
        while Int(try bench.chain.ledger.size()) < entries {
            let count = min(667, (entries - Int(try bench.chain.ledger.size()) + 14) / 15)
            _ = try bench.chain.submit(try bench.signedGroups(groups..<(groups + count)))
            groups += count
        }
        try bench.operatorKey.write(toFile: dir + "/operator.key")
        try bench.coop.write(toFile: dir + "/coop.key")
        _ = try bench.chain.ledger.checkpoint(signingWith: bench.operatorKey)
        let size = try bench.chain.ledger.size()

        // `trace submit` of harvests, the whole command timed (it signs and checks them too).
        let lines = (0..<ingest).map {
            #"{"type":"harvest","id":"s-\#($0)","lot":"S-\#($0)","product":"Lúa ST25","quantity":"1000","unit":"kg","plot":"P-1","harvested":"2026-07-01"}"#
        }
        try lines.joined(separator: "\n").write(toFile: dir + "/harvests.jsonl", atomically: true, encoding: .utf8)
        let submitStart = now()
        try runChecked(trace, ["submit", "--ledger", path, "--key", dir + "/coop.key", "--file", dir + "/harvests.jsonl"])
        let submitRate = Double(ingest) / (now() - submitStart)

        // The server, with the operator key, so each batch gets a signed checkpoint and proofs.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: trace)
        server.arguments = [
            "serve", "--ledger", path, "--key", dir + "/operator.key", "--port", "0", "--write-rate", "1000000", "--write-burst",
            "1000000", "--max-body", String(64 << 20),
        ]
        let base = try startServe(server, output: dir + "/serve.out")
        defer {
            server.terminate()
            server.waitUntilExit()
        }

        // wrk picks a random export lot for every request.
        func load(_ label: String, _ prefix: String) throws -> String {
            let script = dir + "/load-\(prefix.filter(\.isLetter)).lua"
            try """
            math.randomseed(\(getpid()))
            request = function()
              return wrk.format("GET", "\(prefix)R" .. math.random(0, \(groups - 1)))
            end
            """.write(toFile: script, atomically: true, encoding: .utf8)
            let result = try capture(
                wrk, ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script, base])
            let rate = field(result, "Requests/sec:").flatMap(Double.init) ?? .nan
            let p50 = latency(result, "50%")
            let p99 = latency(result, "99%")
            let errors = field(result, "Non-2xx or 3xx responses:") ?? "0"
            return
                "| \(label) | \(grouped(rate)) req/s | \(String(format: "%.2f", p50)) ms | \(String(format: "%.2f", p99)) ms | \(errors) |"
        }
        // The first pass asks for every lot once, in order: each answer is made (and each page's
        // lot verified) once; the server keeps it until the next append. Then random lots: what
        // buyers scanning packs see.
        var rows: [String] = []
        var firsts: [String] = []
        for (label, prefix) in [("lot API `GET /v1/lots/{code}`", "/v1/lots/"), ("buyer page `GET /lot/{code}`", "/lot/")] {
            let config = dir + "/every-lot.curl"
            try (0..<groups).map { "url = \"\(base)\(prefix)R\($0)\"\noutput = \"/dev/null\"\n" }.joined()
                .write(toFile: config, atomically: true, encoding: .utf8)
            let start = now()
            let codes = try capture(curl, ["-s", "-K", config, "-w", "%{http_code}\n"])
            let rate = Double(groups) / (now() - start)
            guard codes.split(separator: "\n").allSatisfy({ $0 == "200" }) else {
                throw BenchFailure("\(label): not every lot answered 200")
            }
            firsts.append(
                "| \(label), each of the \(grouped(Double(groups))) export lots once, in order, one connection | \(grouped(rate)) req/s |"
            )
            rows.append(try load("\(label), random export lots", prefix))
        }

        // The dashboard: its first answer is computed from every record of the rules index; then
        // it is kept until the next append, as a province's visitors see it.
        for (label, path) in [("dashboard `GET /stats`", "/stats?lang=en"), ("figures `GET /v1/stats`", "/v1/stats")] {
            let first = try capture(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", base + path])
            let parts = first.split(separator: " ")
            guard parts.first == "200", let took = parts.last.flatMap({ Double($0) }) else {
                throw BenchFailure("\(label): answered \(first)")
            }
            firsts.append("| \(label), first request after the ledger grew | \(String(format: "%.1f", took * 1000)) ms |")
            let result = try capture(wrk, ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", base + path])
            rows.append(
                "| \(label) | \(grouped(field(result, "Requests/sec:").flatMap(Double.init) ?? .nan)) req/s | "
                    + "\(String(format: "%.2f", latency(result, "50%"))) ms | \(String(format: "%.2f", latency(result, "99%"))) ms | "
                    + "\(field(result, "Non-2xx or 3xx responses:") ?? "0") |")
        }

        // HTTP batch ingest: the same harvests, signed beforehand (a client signs its own events),
        // sent in batches of 1,000 over one keep-alive connection.
        let batchSize = 1000
        /// Harvests `prefix`0 ... signed beforehand (a client signs its own events), sent in
        /// batches of 1,000 over one keep-alive connection; returns events/s.
        func ingestOverHTTP(_ prefix: String) throws -> Double {
            var arguments: [String] = []
            for start in stride(from: 0, to: ingest, by: batchSize) {
                let events = try (start..<min(ingest, start + batchSize)).map { i in
                    try SignedEvent.sign(
                        SupplyChain.event(
                            "harvest", actor: "coop", id: "\(prefix.lowercased())-\(i)",
                            [
                                "lot": .string("\(prefix)-\(i)"), "product": "Lúa ST25", "quantity": "1000", "unit": "kg",
                                "plot": "P-1", "harvested": "2026-07-01",
                            ]), with: bench.coop, keyName: "coop"
                    ).json
                }
                let file = dir + "/batch-\(prefix)-\(start).json"
                try Data(try CanonicalJSON.encode(["events": .array(events)])).write(to: URL(fileURLWithPath: file))
                if !arguments.isEmpty { arguments.append("--next") }
                arguments += [
                    "-s", "-o", "/dev/null", "-w", "%{http_code}\n", "-H", "Content-Type: application/json", "--data-binary",
                    "@" + file, base + "/v1/events:batch",
                ]
            }
            let start = now()
            let statuses = try capture(curl, arguments)
            let rate = Double(ingest) / (now() - start)
            let refused = statuses.split(separator: "\n").filter { $0 != "201" }.count
            guard refused == 0 else { throw BenchFailure("\(refused) batches were refused: \(statuses)") }
            return rate
        }
        let httpRate = try ingestOverHTTP("W")
        // The dashboard again, first request after those appends: read from the running aggregate
        // in a snapshot, apart from the lock the lot API waits on.
        for (label, path) in [("dashboard `GET /stats`", "/stats?lang=en"), ("figures `GET /v1/stats`", "/v1/stats")] {
            let first = try capture(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", base + path])
            let parts = first.split(separator: " ")
            guard parts.first == "200", let took = parts.last.flatMap({ Double($0) }) else {
                throw BenchFailure("\(label): answered \(first)")
            }
            firsts.append(
                "| \(label), first request after \(grouped(Double(ingest))) harvests landed over HTTP | \(String(format: "%.1f", took * 1000)) ms |"
            )
        }
        // Reads while batches land: wrk on the lot API in the background during a second ingest.
        let reads = Process()
        reads.executableURL = URL(fileURLWithPath: wrk)
        reads.arguments = ["-t2", "-c\(connections)", "-d600s", "--latency", "-s", dir + "/load-vlots.lua", base]
        let readsOut = Pipe()
        reads.standardOutput = readsOut
        try reads.run()
        Thread.sleep(forTimeInterval: 1)
        let mixedRate = try ingestOverHTTP("V")
        // wrk stops on SIGINT and reports what it measured: exactly the time the batches took.
        reads.interrupt()
        let readsText = String(decoding: readsOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reads.waitUntilExit()
        rows.append(
            "| lot API `GET /v1/lots/{code}`, random export lots, while \(grouped(Double(ingest))) harvests land in batches | "
                + "\(grouped(field(readsText, "Requests/sec:").flatMap(Double.init) ?? .nan)) req/s | "
                + "\(String(format: "%.2f", latency(readsText, "50%"))) ms | \(String(format: "%.2f", latency(readsText, "99%"))) ms | "
                + "\(field(readsText, "Non-2xx or 3xx responses:") ?? "0") |")

        // The figures in this process: from the running aggregate, and from every lot record of
        // the index (how they were made before the aggregate); they must agree.
        let fresh = try SupplyChain(ledger: bench.chain.ledger)
        let aggregateStart = now()
        let fromAggregate = try fresh.stats()
        let aggregateTime = now() - aggregateStart
        let recordsStart = now()
        let fromRecords = try Stats(try fresh.allRecords(), root: fromAggregate.root)
        let recordsTime = now() - recordsStart
        guard fromAggregate.csv == fromRecords.csv else {
            throw BenchFailure("the running aggregate and the index's records give different figures")
        }
        var statsTimes: [String] = []
        for arguments in [["stats", "--ledger", path], ["stats", "--ledger", path, "--replay"]] {
            let start = now()
            _ = try capture(trace, arguments)
            statsTimes.append(
                "| `trace \(arguments.joined(separator: " ").replacingOccurrences(of: path, with: "server.db"))` (whole command) | \(String(format: "%.2f", now() - start)) s |"
            )
        }

        print(
            "### `trace serve` on a \(grouped(Double(size)))-entry ledger (wrk -t2 -c\(connections) -d\(seconds)s on the same machine)\n"
        )
        print("| load | rate | p50 | p99 | non-2xx |")
        print("|---|---:|---:|---:|---:|")
        for row in rows { print(row) }
        print("")
        print("| first request for each lot (the answer made, the page's lot verified; kept until the next append) | rate |")
        print("|---|---:|")
        for row in firsts { print(row) }
        print("")
        print("| the figures at \(grouped(Double(fresh.state.size))) entries (they agree) | time |")
        print("|---|---:|")
        print("| from the running aggregate, in process | \(String(format: "%.1f", aggregateTime * 1000)) ms |")
        print(
            "| from every lot record of the rules index, in process (as before the aggregate) | \(String(format: "%.1f", recordsTime * 1000)) ms |"
        )
        for row in statsTimes { print(row) }
        print("")
        print("| ingest of \(grouped(Double(ingest))) harvests | events/s | ratio |")
        print("|---|---:|---:|")
        print("| `trace submit --file` (whole command: signs, checks, appends) | \(grouped(submitRate)) | 1.00 |")
        print(
            "| HTTP `POST /v1/events:batch`, batches of \(batchSize), with a signed checkpoint and proofs per batch | \(grouped(httpRate)) | \(String(format: "%.2f", httpRate / submitRate)) |"
        )
        print(
            "| the same, while wrk reads the lot API | \(grouped(mixedRate)) | \(String(format: "%.2f", mixedRate / submitRate)) |"
        )
        print("")
    }

    /// Starts a configured `trace serve` process and returns the address it printed (it binds
    /// `--port 0`); the caller stops it.
    static func startServe(_ server: Process, output out: String) throws -> String {
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        server.standardOutput = file
        // Its write log (a line per entry appended) too: on the benchmark's own output it buried the tables.
        server.standardError = file
        try server.run()
        for _ in 0..<600 {
            Thread.sleep(forTimeInterval: 0.05)
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on ") { return String(text[range.upperBound...].prefix { $0 != "\n" }) }
        }
        server.terminate()
        server.waitUntilExit()
        throw BenchFailure("trace serve did not start")
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }

    /// Runs a program and returns its standard output; throws if it fails.
    static func capture(_ executable: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BenchFailure("\(executable) failed (\(p.terminationStatus))") }
        return String(decoding: data, as: UTF8.self)
    }

    static func runChecked(_ executable: String, _ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BenchFailure("\(arguments.joined(separator: " ")) failed") }
    }

    /// The value after `label` on wrk's output line that starts with it.
    static func field(_ output: String, _ label: String) -> String? {
        for line in output.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(label) { return trimmed.dropFirst(label.count).trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    /// A latency percentile from wrk's distribution, in milliseconds.
    static func latency(_ output: String, _ percentile: String) -> Double {
        guard let text = field(output, percentile) else { return .nan }
        for (unit, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(unit) {
            if let value = Double(text.dropLast(unit.count)) { return value * scale }
        }
        return .nan
    }
}

/// A benchmark that could not run.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
