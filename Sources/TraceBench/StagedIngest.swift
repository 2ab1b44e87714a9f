import TraceDomain
import TraceLedger

/// Grows a bench ledger in whole groups, in batches of about 10,000 events through
/// `SupplyChain.submit` (as `trace submit` appends them), each durable before the next, and times
/// the batches.
final class StagedIngest {
    /// Entries one group appends: ten harvests, merged, shipped to the exporter, received, milled and exported.
    static let groupSize = 15

    private let bench: BenchChain
    /// Groups appended so far (lot R<n> is group n's harvest).
    private(set) var groups = 0
    /// Seconds spent inside `submit`, over every batch so far.
    private(set) var seconds = 0.0
    /// Events appended so far.
    private(set) var events = 0

    init(_ bench: BenchChain) { self.bench = bench }

    /// Appends whole groups until the ledger holds at least `target` entries.
    func grow(to target: Int) throws {
        let groupSize = Self.groupSize
        while Int(try bench.chain.ledger.size()) < target {
            let size = Int(try bench.chain.ledger.size())
            let count = min((10_000 + groupSize - 1) / groupSize, (target - size + groupSize - 1) / groupSize)
            let signed = try bench.signedGroups(groups..<(groups + count))
            groups += count
            let t = now()
            _ = try bench.chain.submit(signed)
            seconds += now() - t
            events += signed.count
        }
    }
}
