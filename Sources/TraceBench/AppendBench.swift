import CanonicalJSON
import Dispatch
import Foundation
import Synchronization
import TraceCrypto
import TraceLedger
import TraceLedgerStores

/// `TraceBench appends --ledger URL-or-DIR --events N`: the cost of one single-event append, by
/// one writer alone, then by two writers (two connections, as two processes) at once, on a new
/// ledger. A postgres:// URL gets a fresh schema; anything else is a folder for a SQLite file.
enum AppendBench {
    static func run(_ options: Options) throws {
        let base = options.string("ledger", ProcessInfo.processInfo.environment["TRACE_TEST_POSTGRES"] ?? "/tmp")
        let count = options.int("events", 300)
        let tag = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let location =
            base.hasPrefix("postgres")
            ? base + (base.contains("?") ? "&" : "?") + "schema=bench_\(tag)" : base + "/bench-\(tag).db"
        let operatorKey = try PrivateKey.generate()
        let partyKey = try PrivateKey.generate()
        let first = try Ledger.create(
            at: LedgerLocation(location), origin: "bench.trace.example/ledger", operatorKey: operatorKey)
        let second = try Ledger(at: LedgerLocation(location))
        func events(_ prefix: String) throws -> [SignedEvent] {
            try (0..<count).map { n in
                let event: JSONValue = [
                    "id": .string("\(prefix)-\(n)"), "type": "bench.harvest", "lot": .string("LA-\(prefix)-\(n)"),
                    "quantity": "1200", "unit": "kg",
                ]
                return try SignedEvent.sign(event, with: partyKey, keyName: "bench-party")
            }
        }
        let solo = try events("solo")
        var start = now()
        for event in solo { _ = try first.append([event]) }
        let alone = (now() - start) / Double(count)

        let pairs = [try events("a"), try events("b")]
        let ledgers = [first, second]
        let failures = Mutex<[String]>([])
        start = now()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            do { for event in pairs[i] { _ = try ledgers[i].append([event]) } } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        let elapsed = now() - start
        guard failures.withLock({ $0.isEmpty }) else {
            throw LedgerError(.store, failures.withLock { $0.joined(separator: "; ") })
        }
        let report = try first.verify()
        print("| store | appends | one writer: ms per append | two writers: ms per append (each) | two writers: appends/s |")
        print("|---|---|---|---|---|")
        print(
            "| \(base.hasPrefix("postgres") ? "PostgreSQL" : "SQLite") | \(count) + 2×\(count) | "
                + String(
                    format: "%.2f | %.2f | %.0f |", alone * 1000, elapsed / Double(count) * 1000, Double(2 * count) / elapsed))
        print("verified: \(report.ok) (\(report.entries) entries)")
    }
}
