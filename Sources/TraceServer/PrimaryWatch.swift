import CanonicalJSON
import Foundation
import Synchronization
import TraceCrypto
import TraceLedger

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// On a read-only replica started with `--primary URL`: asks the primary for its latest signed
/// checkpoint now and then, checks it was signed by this ledger's operator and extends this
/// replica's entries, and compares its size with the entries this replica holds (how far
/// replication has come; `/readyz`'s `unsigned` says how many of those its own checkpoint does
/// not yet cover). The lag goes to `/readyz` and `/metrics` and never makes the replica unready
/// (lag is not loss: the replica serves what its own checkpoint proves); a fork does.
final class PrimaryWatch: Sendable {
    /// What the last look at the primary found.
    struct Observation: Sendable {
        /// The primary's checkpoint size, when it was fetched and checked.
        var primarySize: UInt64?
        /// Entries the primary's checkpoint holds beyond this replica's entries; nil until first known.
        var entries: UInt64?
        /// Seconds since the primary recorded the first entry this replica lacks (0 when caught
        /// up); nil when that entry could not be read.
        var seconds: Double?
        /// When the primary was last asked.
        var checkedAt: Date?
        /// Why the last look failed (the primary did not answer, or answered with a checkpoint
        /// this ledger's operator did not sign); the lag figures are then the last known ones.
        var error: String?
        /// Set when the primary's signed checkpoint and this replica's entries are two histories
        /// (no consistency between them): the replica is then not ready.
        var fork: String?
    }

    /// An HTTP GET: the status and body, or nil when nothing answered.
    typealias Fetch = @Sendable (_ url: String) async -> (status: Int, body: [UInt8])?

    let primary: String
    private let interval: Duration
    private let ledger: Ledger
    private let fetch: Fetch
    private let observation = Mutex(Observation())

    /// Watches `primary` (a `trace serve` base URL) every `interval` from `ledger` (this replica's,
    /// read through a connection of its own).
    init(primary: String, interval: Duration, ledger: Ledger, fetch: @escaping Fetch = PrimaryWatch.get) {
        self.primary = primary.hasSuffix("/") ? String(primary.dropLast()) : primary
        self.interval = interval
        self.ledger = ledger
        self.fetch = fetch
    }

    /// The last observation.
    var last: Observation { observation.withLock { $0 } }

    /// Looks now and then, until the watch is released (the server stops).
    func start() {
        let interval = self.interval
        Task.detached { [weak self] in
            while !Task.isCancelled {
                guard let watch = self else { return }
                await watch.check()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Asks the primary once and records what it found.
    @discardableResult
    func check(now: Date = Date()) async -> Observation {
        var seen = last
        seen.checkedAt = now
        do {
            let (primarySize, missing) = try await look()
            seen.primarySize = primarySize
            if let missing {
                seen.entries = missing.count
                seen.seconds = missing.recorded.map { max(0, now.timeIntervalSince($0)) }
            } else {
                seen.entries = 0
                seen.seconds = 0
            }
            seen.error = nil
            seen.fork = nil
        } catch {
            seen.error = error.message
            if error.fork { seen.fork = error.message }
        }
        let result = seen
        observation.withLock { $0 = result }
        return result
    }

    private struct Failure: Error {
        let message: String
        var fork = false
    }

    /// The primary's checked checkpoint size and, when it is ahead, how many entries this replica
    /// lacks and when the primary recorded the first of them (nil when that cannot be read).
    private func look() async throws(Failure) -> (UInt64, (count: UInt64, recorded: Date?)?) {
        guard let (status, body) = await fetch(primary + "/v1/checkpoint") else {
            throw Failure(message: "the primary at \(primary) did not answer")
        }
        guard status == 200 else {
            throw Failure(message: "the primary at \(primary) answered HTTP \(status) for /v1/checkpoint")
        }
        let note = String(decoding: body, as: UTF8.self)
        let checkpoint: Checkpoint
        let ours: UInt64
        do {
            checkpoint = try ledger.operatorKeys().open(note)
            ours = try ledger.size()
        } catch {
            let reason = (error as? LedgerError)?.message ?? "\(error)"
            throw Failure(message: "the primary at \(primary) serves a checkpoint this ledger's operator did not sign: \(reason)")
        }
        guard checkpoint.origin == ledger.metadata.origin else {
            throw Failure(message: "the primary at \(primary) serves \(checkpoint.origin), not \(ledger.metadata.origin)")
        }
        try await requireOneHistory(checkpoint, ours: ours)
        guard checkpoint.size > ours else { return (checkpoint.size, nil) }
        return (checkpoint.size, (checkpoint.size - ours, await recorded(ours)))
    }

    /// Lag is not a fork: the primary's checkpoint must extend this replica's entries (an RFC 9162
    /// consistency proof from the primary), or be a prefix of them (the same root at its size).
    private func requireOneHistory(_ checkpoint: Checkpoint, ours: UInt64) async throws(Failure) {
        let fork =
            "this replica's ledger and the primary's signed checkpoint (size \(checkpoint.size)) are two histories: "
            + "a fork; stop serving from this replica and compare both with `trace verify`"
        guard ours > 0 else { return }
        let root: Digest
        do { root = try ledger.root(size: min(ours, checkpoint.size)) } catch {
            throw Failure(message: "this replica cannot compute its own root: \(error)")
        }
        guard ours < checkpoint.size else {
            if root != checkpoint.root { throw Failure(message: fork, fork: true) }
            return
        }
        guard
            let (status, body) = await fetch(primary + "/v1/proofs/consistency?from=\(ours)&to=\(checkpoint.size)"),
            status == 200, let json = try? CanonicalJSON.parse(body), let hashes = json["proof"]?.arrayValue,
            let proof = try? hashes.map({ try Digest(hex: $0.stringValue ?? "") })
        else {
            throw Failure(message: "the primary at \(primary) gave no consistency proof from size \(ours) to \(checkpoint.size)")
        }
        guard
            MerkleVerification.verifyConsistency(
                oldSize: ours, newSize: checkpoint.size, oldRoot: root, newRoot: checkpoint.root, proof: proof)
        else { throw Failure(message: fork, fork: true) }
    }

    /// When the primary recorded entry `seq`, read from its entries API; nil when it cannot be read.
    private func recorded(_ seq: UInt64) async -> Date? {
        guard let (status, body) = await fetch(primary + "/v1/entries?start=\(seq)&limit=1"), status == 200,
            let page = try? CanonicalJSON.parse(body), let first = page["entries"]?.arrayValue?.first,
            let text = first["entry"]?["recorded"]?.stringValue, let ms = Timestamp.parse(text)
        else { return nil }
        return Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    /// GET through Foundation's URL loading, as the witness publisher posts.
    static func get(_ url: String) async -> (status: Int, body: [UInt8])? {
        guard let target = URL(string: url) else { return nil }
        var request = URLRequest(url: target, timeoutInterval: 10)
        request.setValue("trace-serve (replica)", forHTTPHeaderField: "User-Agent")
        return await withCheckedContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, _ in
                guard let http = response as? HTTPURLResponse else { return continuation.resume(returning: nil) }
                continuation.resume(returning: (http.statusCode, [UInt8](data ?? Data())))
            }.resume()
        }
    }
}
