import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// Static C2SP tlog-tiles under load, in one run beside `trace serve`: wrk against the lot API,
/// against `trace serve`'s own tile routes, and against nginx (Debian's, on 127.0.0.1) serving
/// the folder `trace publish --out` wrote. Random full level-0 tiles and entry bundles: what
/// clients proving entries fetch.
enum TileBench {
    static func run(_ options: Options) throws {
        let entries = options.int("entries", 100_000)
        let seconds = options.int("seconds", 10)
        let connections = options.int("connections", 32)
        let dir = options.string("dir", NSTemporaryDirectory() + "trace-tile-bench-\(getpid())")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if options.values["dir"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let path = dir + "/tiles.db"
        try? FileManager.default.removeItem(atPath: path)
        let trace = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("trace")
            .path
        guard let wrk = ServerBench.which("wrk"),
            let nginx = ServerBench.which("nginx")
                ?? ["/usr/sbin/nginx"].first(where: {
                    FileManager.default.isExecutableFile(atPath: $0)
                })
        else { throw BenchFailure("the tile benchmark needs wrk and nginx (tools/setup installs them)") }

        let bench = try BenchChain(path: path)
        var groups = 0
        while Int(try bench.chain.ledger.size()) < entries {
            let count = min(667, (entries - Int(try bench.chain.ledger.size()) + 14) / 15)
            _ = try bench.chain.submit(try bench.signedGroups(groups..<(groups + count)))
            groups += count
        }
        _ = try bench.chain.ledger.checkpoint(signingWith: bench.operatorKey)
        let size = try bench.chain.ledger.size()
        let publishStart = now()
        let report = try TilePublisher(ledger: bench.chain.ledger, folder: dir + "/tiles").publish()
        let publishSeconds = now() - publishStart
        let fullTiles = Int(size / 256)
        guard fullTiles > 0 else { throw BenchFailure("--entries: at least 256 entries make a full tile") }

        // trace serve, reading only (no key).
        let server = Process()
        server.executableURL = URL(fileURLWithPath: trace)
        server.arguments = ["serve", "--ledger", path, "--port", "0"]
        let base = try ServerBench.startServe(server, output: dir + "/serve.out")
        defer {
            server.terminate()
            server.waitUntilExit()
        }

        // nginx on loopback, serving the published folder as docs/FORMAT.md shows.
        let port = 20_000 + Int(getpid() % 20_000)
        let conf = dir + "/nginx.conf"
        try """
        daemon off;
        worker_processes 2;
        pid \(dir)/nginx.pid;
        error_log \(dir)/nginx-error.log;
        events { worker_connections 1024; }
        http {
          access_log off;
          client_body_temp_path \(dir)/nginx-body;
          proxy_temp_path \(dir)/nginx-proxy;
          fastcgi_temp_path \(dir)/nginx-fastcgi;
          uwsgi_temp_path \(dir)/nginx-uwsgi;
          scgi_temp_path \(dir)/nginx-scgi;
          sendfile on;
          server {
            listen 127.0.0.1:\(port);
            root \(dir)/tiles;
            location = /checkpoint { types { } default_type "text/plain; charset=utf-8"; add_header Cache-Control "no-cache"; }
            location /tile/ { types { } default_type application/octet-stream; add_header Cache-Control "public, max-age=31536000, immutable"; }
          }
        }
        """.write(toFile: conf, atomically: true, encoding: .utf8)
        let web = Process()
        web.executableURL = URL(fileURLWithPath: nginx)
        web.arguments = ["-c", conf, "-p", dir]
        web.standardError = FileHandle.nullDevice
        try web.run()
        defer {
            web.terminate()
            web.waitUntilExit()
        }
        let nginxBase = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<100 where !up {
            Thread.sleep(forTimeInterval: 0.05)
            up =
                (try? ServerBench.capture(
                    "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", nginxBase + "/checkpoint"]))
                == "200"
        }
        guard up else { throw BenchFailure("nginx did not start on 127.0.0.1:\(port)") }

        func load(_ label: String, _ url: String, _ request: String) throws -> String {
            let script = dir + "/load-\(UUID().uuidString).lua"
            try """
            math.randomseed(\(getpid()))
            local function n(i)
              local s = string.format("%03d", i % 1000)
              i = math.floor(i / 1000)
              while i > 0 do
                s = string.format("x%03d/", i % 1000) .. s
                i = math.floor(i / 1000)
              end
              return s
            end
            request = function()
              \(request)
            end
            """.write(toFile: script, atomically: true, encoding: .utf8)
            let result = try ServerBench.capture(
                wrk, ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script, url])
            let rate = ServerBench.field(result, "Requests/sec:").flatMap(Double.init) ?? .nan
            let transfer = ServerBench.field(result, "Transfer/sec:") ?? "?"
            return "| \(label) | \(grouped(rate)) req/s | \(transfer) | "
                + "\(String(format: "%.2f", ServerBench.latency(result, "50%"))) ms | "
                + "\(String(format: "%.2f", ServerBench.latency(result, "99%"))) ms | "
                + "\(ServerBench.field(result, "Non-2xx or 3xx responses:") ?? "0") |"
        }
        // Every lot's answer is made once first (ServerBench's first pass): the lot API row is the
        // answer buyers scanning packs get, not the first request's verify-lot.
        let warm = dir + "/every-lot.curl"
        try (0..<groups).map { "url = \"\(base)/v1/lots/R\($0)\"\noutput = \"/dev/null\"\n" }.joined()
            .write(toFile: warm, atomically: true, encoding: .utf8)
        _ = try ServerBench.capture("/usr/bin/curl", ["-s", "-K", warm])
        let lot = #"return wrk.format("GET", "/v1/lots/R" .. math.random(0, \#(groups - 1)))"#
        let tile = #"return wrk.format("GET", "/tile/0/" .. n(math.random(0, \#(fullTiles - 1))))"#
        let bundle = #"return wrk.format("GET", "/tile/entries/" .. n(math.random(0, \#(fullTiles - 1))))"#
        let rows = [
            try load("`trace serve` lot API `GET /v1/lots/{code}`, random export lots", base, lot),
            try load("`trace serve` `GET /tile/0/{N}`, random full hash tiles (8 KiB)", base, tile),
            try load("`trace serve` `GET /tile/entries/{N}`, random full entry bundles", base, bundle),
            try load("nginx, the published folder: `GET /tile/0/{N}`, random full hash tiles", nginxBase, tile),
            try load("nginx, the published folder: `GET /tile/entries/{N}`, random full entry bundles", nginxBase, bundle),
        ]
        print(
            "### Static tiles beside `trace serve`, on a \(grouped(Double(size)))-entry ledger (wrk -t2 -c\(connections) -d\(seconds)s on the same machine)\n"
        )
        print(
            "`trace publish --out` wrote \(grouped(Double(report.written))) files in \(String(format: "%.1f", publishSeconds)) s. nginx \(nginxVersion(nginx)), 2 workers, 127.0.0.1.\n"
        )
        print("| load | rate | transfer | p50 | p99 | non-2xx |")
        print("|---|---:|---:|---:|---:|---:|")
        for row in rows { print(row) }
        print("")
    }

    static func nginxVersion(_ nginx: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: nginx)
        p.arguments = ["-v"]
        let pipe = Pipe()
        p.standardError = pipe
        try? p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text.split(separator: "/").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "?"
    }
}
