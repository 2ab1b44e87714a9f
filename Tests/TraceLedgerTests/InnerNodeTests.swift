import Foundation
import GRDB
import Testing
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

/// `verify` holds every stored Merkle node against the entries, not only the peaks: a damaged
/// inner node would make proofs blame an intact entry.
struct InnerNodeTests {
    /// (level, index) of inner nodes that are not peaks of the 40-entry tree, inside and across chunks.
    @Test(arguments: [(1, 3), (2, 4), (3, 1), (5, 0)])
    func aDamagedInnerNodeIsNamed(_ level: Int, _ index: Int) throws {
        let f = try LedgerFixture(events: 39)
        _ = try f.ledger.checkpoint(signingWith: f.operatorKey)
        #expect(try f.ledger.verify(chunkSize: 8).ok)
        let id = Int64(level) << 48 | Int64(index)
        try f.tamper {
            try $0.execute(sql: "UPDATE merkle_nodes SET hash = ? WHERE id = ?", arguments: [Data(repeating: 7, count: 32), id])
        }
        for chunk in [8, 5, 4096] {
            let failure = try Ledger(path: f.path).verify(chunkSize: chunk).failure
            #expect(failure?.code == .nodeChanged)
            #expect(failure?.message.contains("level \(level), index \(index)") == true, "\(failure?.message ?? "")")
            #expect(failure?.entry == nil, "no entry is to blame")
        }
    }

    @Test func aMissingInnerNodeIsNamed() throws {
        let f = try LedgerFixture(events: 39)
        try f.tamper { try $0.execute(sql: "DELETE FROM merkle_nodes WHERE id = ?", arguments: [Int64(2) << 48 | 1]) }
        let failure = try Ledger(path: f.path).verify().failure
        #expect(failure?.code == .nodeChanged)
        #expect(failure?.message.contains("level 2, index 1 (over entries 4 to 7) is missing") == true)
    }

    @Test func verifySinceAlsoChecksTheNodesAfterTheTrustedCheckpoint() throws {
        let f = try LedgerFixture(events: 19)
        let (trusted, _) = try f.ledger.checkpoint(signingWith: f.operatorKey)
        _ = try f.ledger.append((20...39).map { try f.event($0) })
        _ = try f.ledger.checkpoint(signingWith: f.operatorKey)
        try f.tamper {
            try $0.execute(
                sql: "UPDATE merkle_nodes SET hash = ? WHERE id = ?",
                arguments: [Data(repeating: 1, count: 32), Int64(1) << 48 | 13])
        }
        let failure = try Ledger(path: f.path).verify(since: trusted).failure
        #expect(failure?.code == .nodeChanged)
    }
}

extension InnerNodeTests {
    /// The nodes wholly inside a chunk are hashed before the in-order thread takes it, which
    /// hashes only those that join chunks: whatever the chunk size, and where a verification
    /// resumed from a trusted checkpoint starts (an odd size here), the root is the same.
    @Test func theRootIsTheSameWhateverTheChunks() throws {
        let f = try LedgerFixture(events: 20)
        let (trusted, _) = try f.ledger.checkpoint(signingWith: f.operatorKey)
        _ = try f.ledger.append((21...39).map { try f.event($0) })
        _ = try f.ledger.checkpoint(signingWith: f.operatorKey)
        let whole = try f.ledger.verify(chunkSize: 4096)
        #expect(whole.ok && trusted.size % 2 == 1, "\(trusted.size)")
        for chunk in [1, 3, 5, 8] {
            let report = try f.ledger.verify(chunkSize: chunk)
            #expect(report.ok && report.root == whole.root, "chunk \(chunk)")
            let since = try f.ledger.verify(chunkSize: chunk, since: trusted)
            #expect(since.ok && since.root == whole.root, "chunk \(chunk), since \(trusted.size)")
        }
    }
}
