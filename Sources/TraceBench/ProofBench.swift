import CanonicalJSON
import Dispatch
import Foundation
import Synchronization
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

/// The cost of proofs on a large ledger: node reads and microseconds per inclusion proof.
enum ProofBench {
    static func run(_ options: Options) throws {
        let entries = options.int("entries", 1_000_000)
        let dir = options.string("dir", NSTemporaryDirectory() + "trace-bench-\(getpid())")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if options.values["dir"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let path = dir + "/bench.db"
        try? FileManager.default.removeItem(atPath: path)

        let operatorKey = try PrivateKey.generate()
        let coop = try PrivateKey.generate()
        let ledger = try Ledger.create(path: path, origin: "bench.trace.example/ledger", operatorKey: operatorKey)
        let started = now()
        var appended = 1
        let batch = 10_000
        while appended < entries {
            let count = min(batch, entries - appended)
            let first = appended
            // Signing is the client's work; do it on every core so the build is quick.
            let events = try parallelMap(count) { i in
                let n = first + i
                let event: JSONValue = [
                    "id": .string("ev-\(n)"), "type": "harvest", "lot": .string("LA-ST25-\(n)"),
                    "plot": .string("plot-\(n % 997)"), "product": "Lúa ST25", "quantity": .string("\(1000 + n % 500).5"),
                    "unit": "kg", "time": "2026-07-01T07:30:00.000+07:00",
                ]
                return try SignedEvent.sign(event, with: coop, keyName: "htx-tan-lap")
            }
            _ = try ledger.append(events)
            appended += count
        }
        let buildSeconds = now() - started
        let (checkpoint, _) = try ledger.checkpoint(signingWith: operatorKey)
        let fileBytes = storeBytes(path)

        var generator = SystemRandomNumberGenerator()
        var micros: [Double] = []
        var reads: [Int] = []
        for _ in 0..<2000 {
            let index = UInt64.random(in: 0..<checkpoint.size, using: &generator)
            let t0 = now()
            let (proof, nodeReads) = try ledger.inclusionProof(index: index, treeSize: checkpoint.size)
            micros.append((now() - t0) * 1e6)
            reads.append(nodeReads)
            precondition(proof.verify(root: checkpoint.root))
        }
        var consistencyMicros: [Double] = []
        for _ in 0..<500 {
            let old = UInt64.random(in: 1..<checkpoint.size, using: &generator)
            let t0 = now()
            _ = try ledger.consistencyProof(from: old, to: checkpoint.size)
            consistencyMicros.append((now() - t0) * 1e6)
        }
        // Full verification of the ledger layer (chain, every signature, roots), against the
        // Ed25519 limit measured now: openssl speed's one-core verify rate times the cores.
        let t0 = now()
        let report = try Ledger(path: path).verify()
        let verifySeconds = now() - t0
        precondition(report.ok, "\(String(describing: report.failure))")
        let limit = CryptoBench.opensslVerifyRate(seconds: 3).map { $0 * Double(ParallelVerifier.defaultWorkers) }
        micros.sort()
        consistencyMicros.sort()
        let sortedReads = reads.sorted()
        func pct(_ a: [Double], _ p: Double) -> String { String(format: "%.0f", a[min(a.count - 1, Int(Double(a.count) * p))]) }

        print("### Proofs on a \(grouped(Double(checkpoint.size)))-entry SQLite ledger\n")
        print("| measure | value |")
        print("|---|---:|")
        print("| inclusion proof, node rows read (median / max) | \(sortedReads[sortedReads.count / 2]) / \(sortedReads.last!) |")
        print(
            "| inclusion proof, µs (median / p99), including the read transaction | \(pct(micros, 0.5)) / \(pct(micros, 0.99)) |")
        print("| consistency proof, µs (median / p99) | \(pct(consistencyMicros, 0.5)) / \(pct(consistencyMicros, 0.99)) |")
        print(
            "| ledger build (sign on all cores, append in batches of \(grouped(Double(batch)))) | \(String(format: "%.1f", buildSeconds)) s |"
        )
        print("| store size | \(grouped(Double(fileBytes) / Double(checkpoint.size))) bytes/entry |")
        let rate = Double(checkpoint.size) / verifySeconds
        let ratio = limit.map { ", \(String(format: "%.2f", rate / $0)) of the Ed25519 limit (\(grouped($0))/s)" } ?? ""
        print("| full ledger verify (chain, signatures, checkpoint roots; no rule replay) | \(grouped(rate)) entries/s\(ratio) |")
        print("")
    }
}

/// `transform(0..<count)` computed in one contiguous stripe per core, results in order.
func parallelMap<T: Sendable>(_ count: Int, _ transform: @Sendable (Int) throws -> T) throws -> [T] {
    let stripes = ParallelVerifier.defaultWorkers
    let size = (count + stripes - 1) / stripes
    let results = Mutex<[Int: Result<[T], any Error>]>([:])
    DispatchQueue.concurrentPerform(iterations: stripes) { stripe in
        let range = (stripe * size)..<min(count, (stripe + 1) * size)
        let part = Result { try range.map(transform) }
        results.withLock { $0[stripe] = part }
    }
    return try results.withLock { all in try (0..<stripes).flatMap { try all[$0]?.get() ?? [] } }
}
