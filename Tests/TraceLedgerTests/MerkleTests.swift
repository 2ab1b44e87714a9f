import Foundation
import Testing
import TraceCrypto

@testable import TraceLedger

/// Nodes held in memory, filled from the accumulator's output as a store would be.
final class MemoryNodes: MerkleNodeSource {
    var nodes: [Int: [UInt64: Digest]] = [:]
    var reads = 0

    init(leaves: [Digest]) {
        var acc = MerkleAccumulator()
        for leaf in leaves {
            for node in acc.append(leafHash: leaf) { nodes[node.level, default: [:]][node.index] = node.hash }
        }
    }

    func node(level: Int, index: UInt64) throws -> Digest {
        reads += 1
        guard let hash = nodes[level]?[index] else { throw LedgerError(.store, "no node \(level)/\(index)") }
        return hash
    }
}

/// RFC 9162 section 2.1's definitions, written directly over a leaf array: the reference.
enum Reference {
    static func mth(_ d: ArraySlice<Digest>) -> Digest {
        if d.isEmpty { return SHA256.hash([]) }
        if d.count == 1 { return d.first! }
        let k = 1 << (Int.bitWidth - (d.count - 1).leadingZeroBitCount - 1)
        let mid = d.startIndex + k
        return SHA256.hash([0x01] + mth(d[..<mid]).bytes + mth(d[mid...]).bytes)
    }

    static func path(_ m: Int, _ d: ArraySlice<Digest>) -> [Digest] {
        if d.count <= 1 { return [] }
        let k = 1 << (Int.bitWidth - (d.count - 1).leadingZeroBitCount - 1)
        let mid = d.startIndex + k
        if m < k { return path(m, d[..<mid]) + [mth(d[mid...])] }
        return path(m - k, d[mid...]) + [mth(d[..<mid])]
    }

    static func subproof(_ m: Int, _ d: ArraySlice<Digest>, _ b: Bool) -> [Digest] {
        if m == d.count { return b ? [] : [mth(d)] }
        let k = 1 << (Int.bitWidth - (d.count - 1).leadingZeroBitCount - 1)
        let mid = d.startIndex + k
        if m <= k { return subproof(m, d[..<mid], b) + [mth(d[mid...])] }
        return subproof(m - k, d[mid...], false) + [mth(d[..<mid])]
    }
}

struct MerkleTests {
    static func leaves(_ n: Int) -> [Digest] { (0..<n).map { Merkle.leafHash(Array("leaf \($0)".utf8)) } }

    @Test func rfc6962KnownRoots() throws {
        struct V: Decodable { let leaves: [String], roots: [String] }
        let url = Bundle.module.url(forResource: "rfc6962-roots", withExtension: "json", subdirectory: "Vectors")!
        let v = try JSONDecoder().decode(V.self, from: Data(contentsOf: url))
        let leafHashes = v.leaves.map { Merkle.leafHash(Hex.decode($0)!) }
        var acc = MerkleAccumulator()
        for (i, leaf) in leafHashes.enumerated() {
            acc.append(leafHash: leaf)
            #expect(acc.root.hex == v.roots[i], "root of \(i + 1) leaves")
            #expect(
                try MerkleTree(source: MemoryNodes(leaves: Array(leafHashes[...i]))).root(size: UInt64(i + 1)).hex == v.roots[i])
        }
        #expect(MerkleAccumulator().root.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func inclusionProofsMatchTheReferenceForEverySizeAndIndex() throws {
        let all = Self.leaves(71)
        for n in 1...70 {
            let d = Array(all[..<n])
            let source = MemoryNodes(leaves: d)
            let tree = MerkleTree(source: source)
            let root = Reference.mth(d[...])
            #expect(try tree.root(size: UInt64(n)) == root)
            for m in 0..<n {
                let proof = try tree.inclusionProof(index: UInt64(m), size: UInt64(n))
                #expect(proof == Reference.path(m, d[...]), "n=\(n) m=\(m)")
                #expect(
                    MerkleVerification.verifyInclusion(
                        index: UInt64(m), size: UInt64(n), leafHash: d[m], proof: proof, root: root))
                // Every way of lying about the proof is caught.
                if !proof.isEmpty {
                    var flipped = proof
                    var bytes = flipped[proof.count / 2].bytes
                    bytes[0] ^= 1
                    flipped[proof.count / 2] = try Digest(bytes: bytes)
                    #expect(
                        !MerkleVerification.verifyInclusion(
                            index: UInt64(m), size: UInt64(n), leafHash: d[m], proof: flipped, root: root))
                    #expect(
                        !MerkleVerification.verifyInclusion(
                            index: UInt64(m), size: UInt64(n), leafHash: d[m], proof: Array(proof.dropLast()), root: root))
                }
                #expect(
                    !MerkleVerification.verifyInclusion(
                        index: UInt64(m), size: UInt64(n), leafHash: d[m], proof: proof + [root], root: root))
                #expect(
                    !MerkleVerification.verifyInclusion(
                        index: UInt64(m), size: UInt64(n), leafHash: all[n], proof: proof, root: root))
                if n > 1 {
                    let other = (m + 1) % n
                    #expect(
                        !MerkleVerification.verifyInclusion(
                            index: UInt64(other), size: UInt64(n), leafHash: d[m], proof: proof, root: root))
                }
                #expect(
                    !MerkleVerification.verifyInclusion(
                        index: UInt64(n), size: UInt64(n), leafHash: d[m], proof: proof, root: root))
            }
        }
    }

    @Test func consistencyProofsMatchTheReferenceForEveryPairOfSizes() throws {
        let all = Self.leaves(70)
        let source = MemoryNodes(leaves: all)
        let tree = MerkleTree(source: source)
        for n in 1...70 {
            let newRoot = Reference.mth(all[..<n])
            for m in 1...n {
                let oldRoot = Reference.mth(all[..<m])
                let proof = try tree.consistencyProof(from: UInt64(m), to: UInt64(n))
                #expect(proof == (m == n ? [] : Reference.subproof(m, all[..<n], true)), "m=\(m) n=\(n)")
                #expect(
                    MerkleVerification.verifyConsistency(
                        oldSize: UInt64(m), newSize: UInt64(n), oldRoot: oldRoot, newRoot: newRoot, proof: proof))
                if m < n {
                    // A different old tree, a tampered hash, or a truncated proof is refused.
                    #expect(
                        !MerkleVerification.verifyConsistency(
                            oldSize: UInt64(m), newSize: UInt64(n), oldRoot: all[0] == oldRoot ? all[1] : all[0],
                            newRoot: newRoot, proof: proof))
                    var bytes = proof[0].bytes
                    bytes[31] ^= 0x80
                    var tampered = proof
                    tampered[0] = try Digest(bytes: bytes)
                    #expect(
                        !MerkleVerification.verifyConsistency(
                            oldSize: UInt64(m), newSize: UInt64(n), oldRoot: oldRoot, newRoot: newRoot, proof: tampered))
                    #expect(
                        !MerkleVerification.verifyConsistency(
                            oldSize: UInt64(m), newSize: UInt64(n), oldRoot: oldRoot, newRoot: newRoot,
                            proof: Array(proof.dropLast())))
                    #expect(
                        !MerkleVerification.verifyConsistency(
                            oldSize: UInt64(m), newSize: UInt64(n), oldRoot: oldRoot, newRoot: newRoot, proof: []))
                }
            }
        }
    }

    @Test func proofsReadLogarithmicallyManyNodes() throws {
        let n = 100_003
        var acc = MerkleAccumulator()
        let source = MemoryNodes(leaves: [])
        for i in 0..<n {
            let leaf = Merkle.leafHash([UInt8(i & 0xff), UInt8((i >> 8) & 0xff), UInt8(i >> 16)])
            for node in acc.append(leafHash: leaf) { source.nodes[node.level, default: [:]][node.index] = node.hash }
        }
        let tree = MerkleTree(source: source)
        #expect(try tree.root(size: UInt64(n)) == acc.root)
        for index: UInt64 in [0, 1, 50_000, 99_999, 100_002] {
            source.reads = 0
            let proof = try tree.inclusionProof(index: index, size: UInt64(n))
            #expect(source.reads <= 2 * 17, "index \(index): \(source.reads) reads")
            #expect(
                MerkleVerification.verifyInclusion(
                    index: index, size: UInt64(n), leafHash: try source.node(level: 0, index: index), proof: proof, root: acc.root
                ))
        }
    }

    @Test func neighbouringProofsReadSharedNodesOnce() throws {
        let leaves = (0..<1_000).map { Merkle.leafHash([UInt8($0 & 0xff), UInt8($0 >> 8)]) }
        let plain = MemoryNodes(leaves: leaves)
        let remembering = RememberingNodeSource(MemoryNodes(leaves: leaves))
        let story: [UInt64] = [0, 1, 2, 3, 500, 501, 502, 503, 504, 505, 999]
        for index in story {
            let expected = try MerkleTree(source: plain).inclusionProof(index: index, size: 1_000)
            #expect(try MerkleTree(source: remembering).inclusionProof(index: index, size: 1_000) == expected)
            #expect(expected == Reference.path(Int(index), leaves[...]))
        }
        #expect(remembering.reads < plain.reads / 2, "\(remembering.reads) reads against \(plain.reads)")
    }
}
