public import TraceCrypto

/// An RFC 9162 inclusion proof of one entry in a tree of a given size.
public struct InclusionProof: Sendable, Equatable {
    public let index: UInt64
    public let treeSize: UInt64
    public let leafHash: Digest
    public let hashes: [Digest]

    public init(index: UInt64, treeSize: UInt64, leafHash: Digest, hashes: [Digest]) {
        self.index = index
        self.treeSize = treeSize
        self.leafHash = leafHash
        self.hashes = hashes
    }

    /// True when the proof leads from the leaf to `root`.
    public func verify(root: Digest) -> Bool {
        MerkleVerification.verifyInclusion(index: index, size: treeSize, leafHash: leafHash, proof: hashes, root: root)
    }
}

/// An RFC 9162 consistency proof between two tree sizes.
public struct ConsistencyProof: Sendable, Equatable {
    public let oldSize: UInt64
    public let newSize: UInt64
    public let hashes: [Digest]

    public init(oldSize: UInt64, newSize: UInt64, hashes: [Digest]) {
        self.oldSize = oldSize
        self.newSize = newSize
        self.hashes = hashes
    }

    /// True when the tree (`oldSize`, `oldRoot`) is a prefix of (`newSize`, `newRoot`).
    public func verify(oldRoot: Digest, newRoot: Digest) -> Bool {
        MerkleVerification.verifyConsistency(
            oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: hashes)
    }
}
