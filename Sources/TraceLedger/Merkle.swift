public import TraceCrypto

/// RFC 9162 section 2.1 hashing: leaves are SHA-256(0x00 || entry), inner nodes
/// SHA-256(0x01 || left || right), and the empty tree hashes to SHA-256 of nothing.
public enum Merkle {
    /// The leaf hash of an entry's bytes.
    public static func leafHash(_ bytes: [UInt8], using hasher: SHA256.Hasher = SHA256.Hasher()) -> Digest {
        hasher.update(byte: 0x00)
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The hash of an inner node.
    public static func nodeHash(_ left: Digest, _ right: Digest, using hasher: SHA256.Hasher = SHA256.Hasher()) -> Digest {
        hasher.update(byte: 0x01)
        hasher.update(left.bytes)
        hasher.update(right.bytes)
        return hasher.finalize()
    }

    /// The root of the empty tree.
    public static let emptyRoot = SHA256.hash([])

    /// The largest power of two strictly less than `n` (n >= 2): RFC 9162's split point k.
    static func split(_ n: UInt64) -> UInt64 {
        precondition(n >= 2)
        return UInt64(1) << (63 - (n - 1).leadingZeroBitCount)
    }
}

/// Where the proof algorithms read complete subtree hashes: level L, index i is the root of
/// leaves [i * 2^L, (i + 1) * 2^L). A store keeps them so a proof costs O(log n) reads.
public protocol MerkleNodeSource {
    /// The hash of a complete, aligned subtree.
    func node(level: Int, index: UInt64) throws -> Digest
}

/// Where a stored Merkle node sits: the root of leaves `[index * 2^level, (index + 1) * 2^level)`.
public struct MerklePosition: Hashable, Sendable {
    public let level: Int
    public let index: UInt64

    public init(level: Int, index: UInt64) {
        self.level = level
        self.index = index
    }
}

/// Proofs over any node source: the recursive definitions of RFC 9162 section 2.1, reading
/// only complete subtrees, so every hash comes from at most one stored node or a short fold.
public struct MerkleTree {
    public let source: any MerkleNodeSource
    let hasher = SHA256.Hasher()

    public init(source: any MerkleNodeSource) { self.source = source }

    /// MTH(D[lo:hi]).
    public func hash(_ lo: UInt64, _ hi: UInt64) throws -> Digest {
        let width = hi - lo
        if width == 0 { return Merkle.emptyRoot }
        if width & (width - 1) == 0 && lo % width == 0 {
            let level = width.trailingZeroBitCount
            return try source.node(level: level, index: lo >> level)
        }
        let k = Merkle.split(width)
        return Merkle.nodeHash(try hash(lo, lo + k), try hash(lo + k, hi), using: hasher)
    }

    /// The root of the tree of the first `size` leaves.
    public func root(size: UInt64) throws -> Digest { try hash(0, size) }

    /// PATH(m, D[0:n]): the inclusion proof of leaf `index` in the tree of `size` leaves.
    public func inclusionProof(index: UInt64, size: UInt64) throws -> [Digest] {
        guard index < size else {
            throw LedgerError(.outOfRange, "entry \(index) is not in a tree of \(size) entries")
        }
        var proof: [Digest] = []
        try path(index, 0, size, into: &proof)
        return proof
    }

    /// The stored nodes `inclusionProof(index:size:)` reads, found without reading them: a proof's
    /// shape depends only on the index and the size, so a story's proofs can be fetched in one batch.
    public static func inclusionProofNodes(index: UInt64, size: UInt64) -> [MerklePosition] {
        guard index < size else { return [] }
        var positions: [MerklePosition] = []
        pathNodes(index, 0, size, into: &positions)
        return positions
    }

    /// The stored nodes `hash(lo, hi)` reads.
    private static func hashNodes(_ lo: UInt64, _ hi: UInt64, into positions: inout [MerklePosition]) {
        let width = hi - lo
        if width == 0 { return }
        if width & (width - 1) == 0 && lo % width == 0 {
            let level = width.trailingZeroBitCount
            positions.append(MerklePosition(level: level, index: lo >> level))
            return
        }
        let k = Merkle.split(width)
        hashNodes(lo, lo + k, into: &positions)
        hashNodes(lo + k, hi, into: &positions)
    }

    /// The stored nodes `path(m, lo, hi)` reads.
    private static func pathNodes(_ m: UInt64, _ lo: UInt64, _ hi: UInt64, into positions: inout [MerklePosition]) {
        guard hi - lo > 1 else { return }
        let k = Merkle.split(hi - lo)
        if m < lo + k {
            pathNodes(m, lo, lo + k, into: &positions)
            hashNodes(lo + k, hi, into: &positions)
        } else {
            pathNodes(m, lo + k, hi, into: &positions)
            hashNodes(lo, lo + k, into: &positions)
        }
    }

    private func path(_ m: UInt64, _ lo: UInt64, _ hi: UInt64, into proof: inout [Digest]) throws {
        guard hi - lo > 1 else { return }
        let k = Merkle.split(hi - lo)
        if m < lo + k {
            try path(m, lo, lo + k, into: &proof)
            proof.append(try hash(lo + k, hi))
        } else {
            try path(m, lo + k, hi, into: &proof)
            proof.append(try hash(lo, lo + k))
        }
    }

    /// PROOF(m, D[0:n]): the consistency proof from the tree of `oldSize` leaves to `newSize`.
    public func consistencyProof(from oldSize: UInt64, to newSize: UInt64) throws -> [Digest] {
        guard oldSize <= newSize else {
            throw LedgerError(.outOfRange, "cannot prove consistency from size \(oldSize) to the smaller size \(newSize)")
        }
        guard oldSize > 0, oldSize < newSize else { return [] }
        var proof: [Digest] = []
        try subproof(oldSize, 0, newSize, complete: true, into: &proof)
        return proof
    }

    private func subproof(_ m: UInt64, _ lo: UInt64, _ hi: UInt64, complete: Bool, into proof: inout [Digest]) throws {
        let n = hi - lo
        if m == n {
            if !complete { proof.append(try hash(lo, hi)) }
            return
        }
        let k = Merkle.split(n)
        if m <= k {
            try subproof(m, lo, lo + k, complete: complete, into: &proof)
            proof.append(try hash(lo + k, hi))
        } else {
            try subproof(m - k, lo + k, hi, complete: false, into: &proof)
            proof.append(try hash(lo, lo + k))
        }
    }
}

/// A node source that remembers what it read: the proofs of neighbouring entries share most of
/// their path, so a buyer's check of a story reads each shared node once.
/// Not Sendable: used within one read snapshot, on one thread.
public final class RememberingNodeSource: MerkleNodeSource {
    private let source: any MerkleNodeSource
    private var known: [UInt64: Digest] = [:]
    /// Nodes actually read from the underlying source.
    public private(set) var reads = 0

    /// A source that answers from `known` (nodes fetched beforehand, in one batch) before `source`.
    public init(_ source: any MerkleNodeSource, known: [MerklePosition: Digest] = [:]) {
        self.source = source
        for (position, hash) in known { self.known[Self.key(position.level, position.index)] = hash }
    }

    private static func key(_ level: Int, _ index: UInt64) -> UInt64 { UInt64(level) << 58 | index }

    public func node(level: Int, index: UInt64) throws -> Digest {
        let key = Self.key(level, index)
        if let hit = known[key] { return hit }
        reads += 1
        let hash = try source.node(level: level, index: index)
        known[key] = hash
        return hash
    }
}
