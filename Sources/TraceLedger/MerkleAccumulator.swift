public import TraceCrypto

/// The right edge of a growing tree: one hash per set bit of the size (the "peaks").
/// Appending a leaf yields every complete subtree it finishes, which is what a store persists;
/// the root is the fold of the peaks. Memory is O(log n) however many leaves stream through.
public struct MerkleAccumulator {
    /// A complete subtree finished by an append.
    public struct Node: Equatable, Sendable {
        public let level: Int
        public let index: UInt64
        public let hash: Digest
    }

    /// Number of leaves so far.
    public private(set) var size: UInt64
    /// Peaks from the largest (leftmost) to the smallest.
    public private(set) var peaks: [Digest]
    private let hasher = SHA256.Hasher()

    /// An empty tree.
    public init() {
        size = 0
        peaks = []
    }

    /// Resumes a tree of `size` leaves from its peaks (left to right); their count must be
    /// the number of set bits of `size`.
    public init(size: UInt64, peaks: [Digest]) throws {
        guard peaks.count == size.nonzeroBitCount else {
            throw LedgerError(.store, "a tree of \(size) entries has \(size.nonzeroBitCount) peaks, not \(peaks.count)")
        }
        self.size = size
        self.peaks = peaks
    }

    /// The (level, index) of each peak of a tree of `size` leaves, left to right.
    public static func peakPositions(size: UInt64) -> [(level: Int, index: UInt64)] {
        var out: [(Int, UInt64)] = []
        var start: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where size & (UInt64(1) << level) != 0 {
            out.append((level, start >> level))
            start += UInt64(1) << level
        }
        return out
    }

    /// Adds a leaf hash; returns the leaf and every inner node it completes, bottom up.
    @discardableResult
    public mutating func append(leafHash: Digest) -> [Node] { append(leafHash: leafHash, known: nil) }

    /// Adds a leaf hash as `append(leafHash:)` does, taking the hash of each node it completes
    /// from `known` where that has it (hashed already from the same leaves, on another thread).
    mutating func append(leafHash: Digest, known: ChunkTree?) -> [Node] {
        var nodes = [Node(level: 0, index: size, hash: leafHash)]
        var hash = leafHash
        var level = 0
        var index = size
        while index & 1 == 1 {
            let left = peaks.removeLast()
            level += 1
            index >>= 1
            hash = known?.hash(level: level, index: index) ?? Merkle.nodeHash(left, hash, using: hasher)
            nodes.append(Node(level: level, index: index, hash: hash))
        }
        peaks.append(hash)
        size += 1
        return nodes
    }

    /// The root hash of the tree so far.
    public var root: Digest {
        guard var hash = peaks.last else { return Merkle.emptyRoot }
        for peak in peaks.dropLast().reversed() { hash = Merkle.nodeHash(peak, hash, using: hasher) }
        return hash
    }
}
