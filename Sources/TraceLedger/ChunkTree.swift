import TraceCrypto

/// The inner Merkle nodes that lie wholly inside one chunk of leaves, hashed and held against the
/// stored ones before the chunk reaches `verify`'s in-order thread: every node whose 2^L leaves
/// are all in the chunk. The in-order thread's accumulator takes these hashes as they are; it
/// hashes only the nodes that join the chunk to the leaves before it (a few a chunk).
struct ChunkTree: Sendable {
    /// Per level from 1: the index of the first node wholly inside the chunk, each node's hash
    /// (nil where a leaf below it is missing: an entry that did not parse), and whether the
    /// stored node matched it.
    private let levels: [(first: UInt64, hashes: [Digest?], matches: [Bool])]

    /// The nodes over `leaves`, the leaf hashes of entries `first ..< first + leaves.count`,
    /// each held against `stored`.
    init(first: UInt64, leaves: [Digest?], stored: StoredInnerNodes, hasher: SHA256.Hasher) {
        var levels: [(UInt64, [Digest?], [Bool])] = []
        var lowerFirst = first
        var lower = leaves
        var level = 1
        while true {
            // Node j at this level is inside when both its children are: 2j >= lowerFirst and
            // 2j + 1 < lowerFirst + lower.count.
            let low = (lowerFirst + 1) / 2
            let high = (lowerFirst + UInt64(lower.count)) / 2
            guard high > low else { break }
            var hashes: [Digest?] = []
            var matches: [Bool] = []
            hashes.reserveCapacity(Int(high - low))
            matches.reserveCapacity(Int(high - low))
            for j in low..<high {
                let at = Int(2 * j - lowerFirst)
                guard let left = lower[at], let right = lower[at + 1] else {
                    hashes.append(nil)
                    matches.append(false)
                    continue
                }
                let hash = Merkle.nodeHash(left, right, using: hasher)
                hashes.append(hash)
                matches.append(stored.check(MerkleAccumulator.Node(level: level, index: j, hash: hash)) == nil)
            }
            levels.append((low, hashes, matches))
            lowerFirst = low
            lower = hashes
            level += 1
        }
        self.levels = levels
    }

    private func slot(_ level: Int, _ index: UInt64) -> (row: Int, at: Int)? {
        guard level >= 1, level <= levels.count else { return nil }
        let row = levels[level - 1]
        guard index >= row.first, index - row.first < UInt64(row.hashes.count) else { return nil }
        return (level - 1, Int(index - row.first))
    }

    /// The hash of the node at `level`, `index`, if it is inside the chunk and its leaves are known.
    func hash(level: Int, index: UInt64) -> Digest? {
        guard let (row, at) = slot(level, index) else { return nil }
        return levels[row].hashes[at]
    }

    /// True when the node at `node`'s place was hashed here (so the accumulator took that hash)
    /// and the stored node matched it; false means it must be checked in order (a node hashed
    /// there, or a stored node that differs).
    func matched(_ node: MerkleAccumulator.Node) -> Bool {
        guard let (row, at) = slot(node.level, node.index) else { return false }
        return levels[row].matches[at]
    }
}
