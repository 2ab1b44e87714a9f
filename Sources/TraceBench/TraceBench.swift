import CanonicalJSON
import Dispatch
import Foundation
import TraceCrypto
import TraceLedger

/// `tools/bench`: measurements printed as markdown tables. Speed is measured here, never
/// asserted in tests; every ratio compares two figures taken in the same run.
@main
enum TraceBench {
    static func main() throws {
        var args = Array(CommandLine.arguments.dropFirst())
        let what = args.isEmpty || args[0].hasPrefix("--") ? "verification" : args.removeFirst()
        let options = Options(args)
        switch what {
        case "crypto": try CryptoBench.run(options)
        case "proofs": try ProofBench.run(options)
        case "lineage": try LineageBench.run(options)
        case "verification": try VerificationBench.run(options)
        case "server": try ServerBench.run(options)
        case "tiles": try TileBench.run(options)
        case "appends": try AppendBench.run(options)
        case "stores": try StoreBench.run(options)
        case "all":
            try CryptoBench.run(options)
            try ProofBench.run(options)
            try LineageBench.run(options)
        default:
            FileHandle.standardError.write(
                Data(
                    "usage: trace-bench [verification|crypto|proofs|lineage|server|tiles|appends|stores|all] [--seconds S] [--entries N] [--dir D]\n"
                        .utf8))
            exit(2)
        }
    }
}

/// `--name value` options with defaults.
struct Options {
    var values: [String: String] = [:]

    init(_ args: [String]) {
        var i = 0
        while i + 1 < args.count {
            if args[i].hasPrefix("--") { values[String(args[i].dropFirst(2))] = args[i + 1] }
            i += 2
        }
    }

    func double(_ name: String, _ fallback: Double) -> Double { values[name].flatMap(Double.init) ?? fallback }
    func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap(Int.init) ?? fallback }
    func string(_ name: String, _ fallback: String) -> String { values[name] ?? fallback }
}

/// Monotonic seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Formats 12345.6 as "12,346".
func grouped(_ value: Double) -> String {
    let n = Int(value.rounded())
    let digits = Array(String(abs(n)))
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

/// The bytes a SQLite ledger occupies: the database file and its write-ahead log.
func storeBytes(_ path: String) -> Int {
    ["", "-wal"].reduce(0) { total, suffix in
        total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
    }
}
