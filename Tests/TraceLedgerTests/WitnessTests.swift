import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceLedger

/// A C2SP tlog-witness in process: it cosigns only checkpoints that extend the last one it
/// cosigned, keeps that one across restarts, and its cosignatures are what clients count.
struct WitnessTests {
    /// A small log whose tree is computed the RFC 9162 way, signed by its operator.
    struct Log {
        let key = try! PrivateKey.generate()
        let vkey: VerifierKey
        var leaves: [Digest] = []

        init(origin: String = "example.test/log", entries: Int) {
            vkey = try! VerifierKey(name: origin, publicKey: key.publicKey)
            leaves = (0..<entries).map { Merkle.leafHash(Array("entry \($0)".utf8)) }
        }

        static func root(_ leaves: ArraySlice<Digest>) -> Digest {
            if leaves.isEmpty { return Merkle.emptyRoot }
            if leaves.count == 1 { return leaves.first! }
            var k = 1
            while k * 2 < leaves.count { k *= 2 }
            let start = leaves.startIndex
            return Merkle.nodeHash(root(leaves[start..<(start + k)]), root(leaves[(start + k)...]))
        }

        /// RFC 9162 section 2.1.4.1, SUBPROOF.
        static func subproof(_ m: Int, _ leaves: ArraySlice<Digest>, _ whole: Bool) -> [Digest] {
            let n = leaves.count
            let start = leaves.startIndex
            if m == n { return whole ? [] : [root(leaves)] }
            var k = 1
            while k * 2 < n { k *= 2 }
            if m <= k { return subproof(m, leaves[start..<(start + k)], whole) + [root(leaves[(start + k)...])] }
            return subproof(m - k, leaves[(start + k)...], false) + [root(leaves[start..<(start + k)])]
        }

        func note(size: Int) throws -> String {
            try Checkpoint(origin: vkey.name, size: UInt64(size), root: Self.root(leaves[0..<size])).sign(with: key, as: vkey)
                .encoded
        }

        func request(from old: Int, to new: Int) throws -> String {
            let proof = old == 0 || old == new ? [] : Self.subproof(old, leaves[0..<new], true)
            return AddCheckpointRequest(oldSize: UInt64(old), proof: proof, note: try note(size: new)).body
        }
    }

    func witness(_ log: Log, folder: String, key: PrivateKey, name: String = "witness.test/w1") throws -> Witness {
        try Witness(name: name, privateKey: key, logs: [log.vkey], stateFolder: folder)
    }

    @Test func cosignsACheckpointThatExtendsTheLastOneAndTheCosignatureVerifies() throws {
        let log = Log(entries: 20)
        let w = try witness(log, folder: try Scratch.directory(), key: try PrivateKey.generate())
        guard case .cosigned(let first) = w.addCheckpoint(try log.request(from: 0, to: 7), now: 1_700_000_000) else {
            Issue.record("the first checkpoint was not cosigned")
            return
        }
        guard case .cosigned(let lines) = w.addCheckpoint(try log.request(from: 7, to: 20), now: 1_700_000_100) else {
            Issue.record("a checkpoint extending the last one was not cosigned")
            return
        }
        #expect(first.hasPrefix("\u{2014} witness.test/w1 ") && lines.hasSuffix("\n"))
        let note = try SignedNote(parsing: try log.note(size: 20)).adding(lines: [lines])
        let cosignature = try #require(Cosignature(note.signatures[1], key: w.key))
        #expect(cosignature.timestamp == 1_700_000_100)
        #expect(cosignature.verifies(checkpointText: note.text, key: w.key))
        #expect(!cosignature.verifies(checkpointText: try SignedNote(parsing: try log.note(size: 7)).text, key: w.key))
        #expect(try w.latest(origin: log.vkey.name)?.size == 20)
        // The operator's own signature still opens the note with the cosignature added.
        #expect(try Checkpoint.open(note.encoded, operatorKey: log.vkey).size == 20)
    }

    @Test func refusesACheckpointThatDoesNotExtendItsLastOneAndKeepsThatOneAcrossRestarts() throws {
        let log = Log(entries: 30)
        let folder = try Scratch.directory()
        let key = try PrivateKey.generate()
        let w = try witness(log, folder: folder, key: key)
        guard case .cosigned = w.addCheckpoint(try log.request(from: 0, to: 10), now: 1) else {
            Issue.record("the first checkpoint was not cosigned")
            return
        }
        // A fork: the same operator signs another history of 16 entries.
        var fork = log
        fork.leaves[3] = Merkle.leafHash(Array("rewritten".utf8))
        #expect(
            {
                if case .badProof = w.addCheckpoint(try! fork.request(from: 10, to: 16), now: 2) { return true }
                return false
            }())
        // A stale old size is answered with the size the witness holds (409).
        #expect(w.addCheckpoint(try log.request(from: 0, to: 16), now: 3) == .conflict(size: 10))
        // The same size with another root is a conflict too.
        #expect(w.addCheckpoint(try fork.request(from: 10, to: 10), now: 4) == .conflict(size: 10))
        // A smaller checkpoint than its last one: the old size cannot match.
        #expect(w.addCheckpoint(try log.request(from: 5, to: 5), now: 5) == .conflict(size: 10))
        // Restarted on the same folder, it still holds size 10.
        let again = try witness(log, folder: folder, key: key)
        #expect(again.addCheckpoint(try log.request(from: 0, to: 30), now: 6) == .conflict(size: 10))
        if case .cosigned = again.addCheckpoint(try log.request(from: 10, to: 30), now: 7) {
        } else {
            Issue.record("the restarted witness did not cosign a checkpoint extending size 10")
        }
    }

    /// Given both keys of a rotated log (`--log OLD --log NEW`), a witness accepts either until it
    /// has cosigned a checkpoint the new key signed; then a checkpoint the old key signs, even one
    /// that extends the log, is refused (403): a thief holding the replaced key gets no quorum.
    @Test func afterCosigningTheNewKeysCheckpointTheReplacedKeyIsRefused() throws {
        let log = Log(entries: 30)
        let newKey = try PrivateKey.generate()
        let newVKey = try VerifierKey(name: log.vkey.name, publicKey: newKey.publicKey)
        let w = try Witness(
            name: "witness.test/w1", privateKey: try PrivateKey.generate(), logs: [log.vkey, newVKey],
            stateFolder: try Scratch.directory())
        func byNewKey(from old: Int, to new: Int) throws -> String {
            let proof = old == 0 ? [] : Log.subproof(old, log.leaves[0..<new], true)
            let note = try Checkpoint(origin: log.vkey.name, size: UInt64(new), root: Log.root(log.leaves[0..<new]))
                .sign(with: newKey, as: newVKey).encoded
            return AddCheckpointRequest(oldSize: UInt64(old), proof: proof, note: note).body
        }
        guard case .cosigned = w.addCheckpoint(try log.request(from: 0, to: 10), now: 1),
            case .cosigned = w.addCheckpoint(try byNewKey(from: 10, to: 12), now: 2)
        else {
            Issue.record("checkpoints by the old key, then by the new one, were not cosigned")
            return
        }
        let refused = w.addCheckpoint(try log.request(from: 12, to: 20), now: 3)
        guard case .forbidden(let reason) = refused else {
            Issue.record("a checkpoint by the replaced key was answered \(refused)")
            return
        }
        #expect(reason.contains("which the log replaced"), "\(reason)")
        if case .cosigned = w.addCheckpoint(try byNewKey(from: 12, to: 20), now: 4) {
        } else {
            Issue.record("the new key's checkpoint extending size 12 was not cosigned")
        }
    }

    @Test func refusesUnknownLogsForeignSignaturesAndMalformedRequests() throws {
        let log = Log(entries: 4)
        let w = try witness(log, folder: try Scratch.directory(), key: try PrivateKey.generate())
        let stranger = Log(origin: "other.test/log", entries: 4)
        if case .unknownLog = w.addCheckpoint(try stranger.request(from: 0, to: 4), now: 1) {
        } else {
            Issue.record("an unknown log was not refused with 404")
        }
        // Signed by another key under the known log's name.
        var impostor = Log(origin: log.vkey.name, entries: 4)
        impostor.leaves = log.leaves
        if case .forbidden = w.addCheckpoint(try impostor.request(from: 0, to: 4), now: 1) {
        } else {
            Issue.record("a checkpoint not signed by the log's key was not refused with 403")
        }
        if case .badRequest = w.addCheckpoint("old 01\n\n" + (try log.note(size: 4)), now: 1) {
        } else {
            Issue.record("an old size with a leading zero was not refused")
        }
        if case .badRequest = w.addCheckpoint("old 9\n\n" + (try log.note(size: 4)), now: 1) {
        } else {
            Issue.record("an old size above the checkpoint's was not refused with 400")
        }
    }

    @Test func aQuorumIsMetOrTheMissingWitnessesAreNamed() throws {
        let log = Log(entries: 5)
        let keys = try (1...3).map { _ in try PrivateKey.generate() }
        let witnesses = try keys.enumerated().map { index, key in
            try witness(log, folder: try Scratch.directory(), key: key, name: "witness.test/w\(index + 1)")
        }
        var note = try SignedNote(parsing: try log.note(size: 5))
        for w in witnesses.prefix(2) {
            guard case .cosigned(let line) = w.addCheckpoint(try log.request(from: 0, to: 5), now: 42) else {
                Issue.record("not cosigned")
                return
            }
            note = try note.adding(lines: [line])
        }
        let all = witnesses.map(\.key)
        try WitnessPolicy(witnesses: all, quorum: 2).check(note)
        let error = #expect(throws: LedgerError.self) { try WitnessPolicy(witnesses: all, quorum: 3).check(note) }
        #expect(error?.code == .witnessQuorum)
        #expect(error?.message.contains("missing: witness.test/w3") == true)
        #expect(error?.message.contains("2 of the 3") == true)
        // A cosignature line whose bytes were changed does not count.
        let lines = note.encoded.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("\u{2014} witness.test/w2 "),
                var blob = Data(base64Encoded: String(line.split(separator: " ")[2]))
            else { return String(line) }
            blob[blob.count - 1] ^= 1
            return "\u{2014} witness.test/w2 " + blob.base64EncodedString()
        }
        let forged = try SignedNote(parsing: lines.joined(separator: "\n"))
        #expect(try WitnessPolicy(witnesses: all, quorum: 2).cosigners(of: forged).map(\.name) == ["witness.test/w1"])
        #expect(throws: LedgerError.self) { try WitnessPolicy(witnesses: all, quorum: 2).check(forged) }
        #expect(throws: LedgerError.self) { try WitnessPolicy(witnesses: all, quorum: 4) }
    }

    @Test func witnessVerifierKeysUseSignatureTypeFourAndRoundTrip() throws {
        let key = try PrivateKey(seed: Array(repeating: 7, count: 32))
        let vkey = try CosignerKey(name: "witness.test/w1", publicKey: key.publicKey)
        #expect(try CosignerKey(vkey.description) == vkey)
        #expect(Data(base64Encoded: String(vkey.description.split(separator: "+")[2]))?.first == 0x04)
        let operatorStyle = try VerifierKey(name: "witness.test/w1", publicKey: key.publicKey).description
        #expect(throws: CryptoError.self) { try CosignerKey(operatorStyle) }
        #expect(vkey.keyHash != (try VerifierKey(operatorStyle)).keyHash)
    }
}

/// A cosignature/v1 known answer computed outside this code base (Vectors/cosignature-v1.json).
struct CosignatureVectorTests {
    @Test func ourCosignatureAndVerifierKeyMatchAnIndependentImplementation() throws {
        let url = try #require(Bundle.module.url(forResource: "cosignature-v1", withExtension: "json", subdirectory: "Vectors"))
        let vector = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let seedHex = try #require(vector["seedHex"] as? String)
        let seed = try #require(Hex.decode(seedHex))
        let name = try #require(vector["name"] as? String)
        let text = try #require(vector["checkpoint"] as? String)
        let timestamp = try #require(vector["timestamp"] as? Int)
        let key = try CosignerKey(name: name, publicKey: try PrivateKey(seed: seed).publicKey)
        #expect(key.description == vector["vkey"] as? String)
        let cosignature = try Cosignature.sign(
            checkpointText: text, timestamp: UInt64(timestamp), key: try PrivateKey(seed: seed))
        #expect(cosignature.line(by: key) == vector["line"] as? String)
    }
}
