public import TraceCrypto

/// Proof checking exactly as RFC 9162 sections 2.1.3.2 and 2.1.4.2 give it.
public enum MerkleVerification {
    /// The root that an inclusion proof implies, or nil if the proof has the wrong shape.
    public static func rootFromInclusionProof(index: UInt64, size: UInt64, leafHash: Digest, proof: [Digest]) -> Digest? {
        guard index < size else { return nil }
        let hasher = SHA256.Hasher()
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            guard sn != 0 else { return nil }
            if fn & 1 == 1 || fn == sn {
                r = Merkle.nodeHash(p, r, using: hasher)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = Merkle.nodeHash(r, p, using: hasher)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? r : nil
    }

    /// True when `proof` shows that leaf `index` with `leafHash` is in the tree of `size` with `root`.
    public static func verifyInclusion(index: UInt64, size: UInt64, leafHash: Digest, proof: [Digest], root: Digest) -> Bool {
        rootFromInclusionProof(index: index, size: size, leafHash: leafHash, proof: proof) == root
    }

    /// True when `proof` shows the tree (`oldSize`, `oldRoot`) is a prefix of (`newSize`, `newRoot`).
    public static func verifyConsistency(
        oldSize: UInt64, newSize: UInt64, oldRoot: Digest, newRoot: Digest, proof: [Digest]
    ) -> Bool {
        guard oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty }
        guard !proof.isEmpty else { return false }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        let hasher = SHA256.Hasher()
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = Merkle.nodeHash(c, fr, using: hasher)
                sr = Merkle.nodeHash(c, sr, using: hasher)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = Merkle.nodeHash(sr, c, using: hasher)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == oldRoot && sr == newRoot
    }
}
