import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

/// What every store must do, held against each store with the same assertions: the memory store
/// is the reference, SQLite the default, and the next store (PostgreSQL) joins this list.
struct StoreSeamTests {
    static let space = SideSpace("test.records")

    @Test(arguments: StoreKind.allCases)
    func entriesNodesAndCheckpointsComeBackAsWritten(_ kind: StoreKind) throws {
        let f = try LedgerFixture(events: 9, store: kind)
        _ = try f.ledger.checkpoint(signingWith: f.operatorKey)
        try f.ledger.store.read { reader in
            #expect(try reader.size() == 10)
            let rows = try reader.entries(from: 3, limit: 4)
            #expect(rows.map(\.seq) == [3, 4, 5, 6])
            #expect(
                try rows.map { try Entry(bytes: $0.bytes, expectedSeq: $0.seq).signed.id } == ["ev-3", "ev-4", "ev-5", "ev-6"])
            #expect(try reader.entries(from: 10, limit: 5).isEmpty)
            #expect(try reader.entryBytes(10) == nil)
            #expect(try reader.seq(forEventID: "ev-7") == 7)
            #expect(try reader.seq(forEventID: "ev-77") == nil)
            // Every leaf and inner node the ledger computed is stored, and no more.
            let leaves = try reader.leafHashes(from: 0, limit: 12)
            #expect(leaves.prefix(10).allSatisfy { $0 != nil } && leaves.suffix(2).allSatisfy { $0 == nil })
            #expect(try reader.nodes(level: 3, from: 0, limit: 2).map { $0 != nil } == [true, false])
            #expect(try reader.lastLeafHash() == (try Entry(bytes: reader.entryBytes(9)!, expectedSeq: 9)).leafHash())
            #expect(try reader.checkpoints().map(\.size) == [1, 10])
            #expect(try reader.checkpoint(size: nil)?.size == 10)
            #expect(try reader.checkpoint(size: 1)?.size == 1)
            #expect(try reader.checkpoint(size: 5) == nil)
        }
        #expect(try f.ledger.verify().ok)
    }

    @Test(arguments: StoreKind.allCases)
    func batchReadsGiveWhatSingleReadsGiveAndLeaveOutWhatIsMissing(_ kind: StoreKind) throws {
        let f = try LedgerFixture(events: 9, store: kind)
        try f.ledger.store.write { writer in
            try writer.putSideRecord(Self.space, key: "a", value: [1])
            try writer.putSideRecord(Self.space, key: "b", value: [2])
        }
        func at(_ level: Int, _ index: UInt64) -> MerklePosition { MerklePosition(level: level, index: index) }
        try f.ledger.store.read { reader in
            let entries = try reader.entries(seqs: [3, 0, 9, 12, 3])
            #expect(entries.keys.sorted() == [0, 3, 9])
            for (seq, bytes) in entries { #expect(try reader.entryBytes(seq) == bytes) }
            #expect(try reader.entries(seqs: []).isEmpty)
            // Level 3 index 1 would cover entries 8 to 15: not complete, so not stored.
            let nodes = try reader.nodes(at: [at(0, 9), at(3, 0), at(3, 1), at(1, 2), at(0, 10)])
            #expect(Set(nodes.keys) == [at(0, 9), at(3, 0), at(1, 2)])
            for (position, hash) in nodes { #expect(try reader.node(level: position.level, index: position.index) == hash) }
            #expect(try reader.nodes(at: []).isEmpty)
            #expect(try reader.sideRecords(Self.space, keys: ["b", "z", "a"]) == ["a": [1], "b": [2]])
            #expect(try reader.sideRecords(SideSpace("test.other"), keys: ["a"]).isEmpty)
            #expect(try reader.sideRecords(Self.space, keys: []).isEmpty)
        }
        // Inside a transaction, batch reads see its own writes, before they are sent or committed.
        try f.ledger.store.write { writer in
            try writer.putSideRecord(Self.space, key: "c", value: [3])
            try writer.removeSideRecord(Self.space, key: "a")
            #expect(try writer.sideRecords(Self.space, keys: ["a", "b", "c"]) == ["b": [2], "c": [3]])
            let next = try Entry(seq: 10, recorded: Timestamp.now(), prev: try writer.lastLeafHash(), signed: try f.event(10))
            let leaf = try writer.append(next)
            #expect(try writer.entries(seqs: [9, 10]).keys.sorted() == [9, 10])
            #expect(try writer.entries(seqs: [10])[10] == next.bytes)
            #expect(try writer.nodes(at: [at(0, 10), at(0, 9)]).count == 2)
            #expect(try writer.nodes(at: [at(0, 10)])[at(0, 10)] == leaf)
            try writer.clearSideRecords(Self.space)
            try writer.putSideRecord(Self.space, key: "d", value: [4])
            #expect(try writer.sideRecords(Self.space, keys: ["b", "c", "d"]) == ["d": [4]])
        }
        #expect(try f.ledger.store.read { try $0.sideRecords(Self.space, keys: ["a", "b", "c", "d"]) } == ["d": [4]])
        #expect(try f.ledger.verify().ok)
    }

    @Test func aProofsNodesAreKnownBeforeTheyAreRead() throws {
        // The positions `inclusionProofNodes` names are exactly the nodes a proof reads.
        let f = try LedgerFixture(events: 40)
        try f.ledger.store.read { reader in
            for size in [1, 2, 7, 8, 13, 41] as [UInt64] {
                for index in 0..<size {
                    let recording = RememberingNodeSource(reader)
                    _ = try MerkleTree(source: recording).inclusionProof(index: index, size: size)
                    let named = MerkleTree.inclusionProofNodes(index: index, size: size)
                    #expect(named.count == recording.reads, "index \(index), size \(size)")
                    let batch = try reader.proofNodes(for: [index], size: size)
                    #expect(
                        try MerkleTree(source: batch).inclusionProof(index: index, size: size)
                            == MerkleTree(source: reader).inclusionProof(index: index, size: size))
                    #expect(batch.reads == 0, "index \(index), size \(size): a node was read outside the batch")
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theSameEventsGiveTheSameRootOnEveryStore(_ kind: StoreKind) throws {
        // Entry bytes carry the time they were recorded, so compare through a copy: entries
        // written into a memory store one by one must give the root the ledger computed.
        let f = try LedgerFixture(events: 21, store: kind)
        let copy = MemoryLedgerStore(origin: f.ledger.metadata.origin, operatorKey: f.ledger.metadata.operatorKey)
        try copy.write { writer in
            for seq in 0..<22 { try writer.append(try f.ledger.entry(UInt64(seq))) }
        }
        #expect(try Ledger(store: copy).root(size: 22) == (try f.ledger.root(size: 22)))
        #expect(try Ledger(store: copy).root(size: 13) == (try f.ledger.root(size: 13)))
    }

    @Test(arguments: StoreKind.allCases)
    func sideRecordsAreWrittenReplacedAndErased(_ kind: StoreKind) throws {
        let f = try LedgerFixture(store: kind)
        let store = f.ledger.store
        try store.write { writer in
            try writer.putSideRecord(Self.space, key: "b", value: [2])
            try writer.putSideRecord(Self.space, key: "a", value: [1])
            try writer.putSideRecord(SideSpace("test.other"), key: "a", value: [9])
        }
        #expect(try store.read { try $0.sideRecords(Self.space).map(\.key) } == ["a", "b"])
        try store.write { try $0.putSideRecord(Self.space, key: "a", value: [1, 1]) }
        #expect(try store.read { try $0.sideRecord(Self.space, key: "a") } == [1, 1])
        try store.write { try $0.removeSideRecord(Self.space, key: "a") }
        #expect(try store.read { try $0.sideRecord(Self.space, key: "a") } == nil)
        try store.write { try $0.clearSideRecords(Self.space) }
        #expect(try store.read { try $0.sideRecords(Self.space).isEmpty })
        // Another space is untouched.
        #expect(try store.read { try $0.sideRecord(SideSpace("test.other"), key: "a") } == [9])
        try store.scrub()
    }

    @Test(arguments: StoreKind.allCases)
    func aFailedTransactionLeavesNeitherEntriesNorSideRecords(_ kind: StoreKind) throws {
        let f = try LedgerFixture(events: 2, store: kind)
        struct Refusal: Error {}
        #expect(throws: Refusal.self) {
            _ = try f.ledger.append([try f.event(3), try f.event(4)]) { entry, _ in
                if entry.signed.id == "ev-4" { throw Refusal() }
            } finish: { writer in
                try writer.putSideRecord(Self.space, key: "batch", value: [1])
            }
        }
        #expect(try f.ledger.size() == 3)
        #expect(try f.ledger.store.read { try $0.sideRecord(Self.space, key: "batch") } == nil)
        // The same batch lands whole, side record included.
        _ = try f.ledger.append([try f.event(3), try f.event(4)]) { _, _ in
        } finish: { writer in
            try writer.putSideRecord(Self.space, key: "batch", value: [1])
        }
        #expect(try f.ledger.size() == 5)
        #expect(try f.ledger.store.read { try $0.sideRecord(Self.space, key: "batch") } == [1])
        #expect(try f.ledger.verify().ok)
    }

    @Test(arguments: StoreKind.allCases)
    func entriesOnlyFollowTheLastOneAndEventIDsAreUnique(_ kind: StoreKind) throws {
        let f = try LedgerFixture(events: 2, store: kind)
        let next = try Entry(seq: 5, recorded: Timestamp.now(), prev: .zero, signed: try f.event(5))
        #expect(throws: (any Error).self) { try f.ledger.store.write { try $0.append(next) } }
        let again = try Entry(seq: 3, recorded: Timestamp.now(), prev: .zero, signed: try f.event(2))
        #expect(throws: (any Error).self) { try f.ledger.store.write { try $0.append(again) } }
        #expect(try f.ledger.size() == 3)
    }

    @Test(arguments: StoreKind.allCases)
    func aReadSnapshotDoesNotSeeALaterWrite(_ kind: StoreKind) throws {
        let f = try LedgerFixture(events: 2, store: kind)
        let other = kind == .memory ? f.ledger : try kind.reopen(f.ledger, in: f.directory)
        try f.ledger.store.read { reader in
            #expect(try reader.size() == 3)
            // SQLite's queue is not reentrant: the write goes through another connection.
            _ = try other.append([try f.event(3)])
            #expect(try reader.size() == 3)
            #expect(try reader.entryBytes(3) == nil)
        }
        #expect(try f.ledger.size() == 4)
    }

    @Test(arguments: StoreKind.allCases)
    func scratchSpaceGivesBackWhatWasPut(_ kind: StoreKind) throws {
        let f = try LedgerFixture(store: kind)
        let scratch = try f.ledger.store.makeScratch()
        try scratch.put([(kind: 1, key: "x", value: [1, 2]), (kind: 2, key: "x", value: [3])])
        try scratch.put([(kind: 1, key: "x", value: [4])])
        #expect(try scratch.get(kind: 1, key: "x") == [4])
        #expect(try scratch.get(kind: 2, key: "x") == [3])
        #expect(try scratch.get(kind: 3, key: "x") == nil)
    }

    @Test func aReadOnlyStoreRefusesEveryWrite() throws {
        let f = try LedgerFixture(events: 1)
        let memory = MemoryLedgerStore(origin: "x", operatorKey: f.ledger.metadata.operatorKey).copy(readOnly: true)
        let sqlite = try SQLiteLedgerStore.open(path: f.path, readOnly: true)
        for store in [memory, sqlite] as [any LedgerStore] {
            #expect(store.isReadOnly)
            #expect(throws: (any Error).self) { try store.write { try $0.putSideRecord(Self.space, key: "a", value: [1]) } }
        }
    }
}
