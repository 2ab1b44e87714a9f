import TraceCrypto

/// The stored inner Merkle nodes (level 1 and up) that a run of leaves completes, read in one
/// range per level, so `verify` can hold every stored node against the entries below it: a
/// damaged inner node would otherwise make `prove` blame an intact entry.
struct StoredInnerNodes: Sendable {
    /// Per level from 1: the index of the first node the run completes, and the stored hashes.
    private let levels: [(first: UInt64, hashes: [Digest?])]

    /// The nodes completed by leaves `first ..< first + count`: at level L, node i is completed by
    /// leaf (i + 1) * 2^L - 1, so the run completes indices first >> L up to (first + count) >> L.
    static func read(_ reader: any LedgerReader, from first: UInt64, count: Int) throws -> StoredInnerNodes {
        let end = first + UInt64(count)
        var levels: [(UInt64, [Digest?])] = []
        var level = 1
        while level < 64, end >> UInt64(level) > first >> UInt64(level) {
            let low = first >> UInt64(level)
            let n = Int((end >> UInt64(level)) - low)
            levels.append((low, try reader.nodes(level: level, from: low, limit: n)))
            level += 1
        }
        return StoredInnerNodes(levels: levels)
    }

    /// A failure naming the node when the stored one differs from `node`, recomputed from the entries.
    func check(_ node: MerkleAccumulator.Node) -> LedgerError? {
        guard node.level >= 1, node.level <= levels.count else { return nil }
        let row = levels[node.level - 1]
        guard node.index >= row.first, node.index - row.first < UInt64(row.hashes.count) else { return nil }
        var span: String { "entries \(node.index << UInt64(node.level)) to \(((node.index + 1) << UInt64(node.level)) - 1)" }
        guard let stored = row.hashes[Int(node.index - row.first)] else {
            return LedgerError(
                .nodeChanged,
                "the stored Merkle node at level \(node.level), index \(node.index) (over \(span)) is missing or damaged: "
                    + "proofs through it would fail; the entries themselves check")
        }
        guard stored == node.hash else {
            return LedgerError(
                .nodeChanged,
                "the stored Merkle node at level \(node.level), index \(node.index) (over \(span)) does not match those entries: "
                    + "the store's tree was changed there, and proofs through it would blame an intact entry")
        }
        return nil
    }
}
