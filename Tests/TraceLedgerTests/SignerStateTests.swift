import Foundation
import Testing
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

/// The operator never signs two checkpoints for one size: its last signed checkpoint is kept
/// outside the store, and signing refuses a tree that does not extend it.
struct SignerStateTests {
    /// Copies the SQLite file (and its write-ahead log) while nothing writes: a backup.
    func backup(_ f: LedgerFixture, to path: String) throws {
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: f.path + suffix) {
            try FileManager.default.copyItem(atPath: f.path + suffix, toPath: path + suffix)
        }
    }

    @Test func signingTheSameTreeAgainGivesTheSameNote() throws {
        let f = try LedgerFixture(events: 5)
        let state = SignerState(path: f.directory + "/operator.checkpoint")
        let first = try f.ledger.checkpoint(signingWith: f.operatorKey, state: state)
        let again = try f.ledger.checkpoint(signingWith: f.operatorKey, state: state)
        #expect(first.note == again.note)
        #expect(try state.load(operatorKey: f.ledger.metadata.operatorKey)?.note == first.note)
        _ = try f.ledger.append([try f.event(6)])
        let next = try f.ledger.checkpoint(signingWith: f.operatorKey, state: state)
        #expect(next.checkpoint.size == 7)
        #expect(try state.load(operatorKey: f.ledger.metadata.operatorKey)?.note == next.note)
        #expect(!FileManager.default.fileExists(atPath: state.path + ".tmp-\(getpid())"))
    }

    @Test func aRolledBackStoreIsRefusedAndSoIsAForkOfIt() throws {
        let f = try LedgerFixture(events: 10)
        let state = SignerState(path: f.directory + "/operator.checkpoint")
        _ = try f.ledger.checkpoint(signingWith: f.operatorKey, state: state)
        let saved = f.directory + "/backup.db"
        try backup(f, to: saved)
        _ = try f.ledger.append((11...15).map { try f.event($0) })
        let signed = try f.ledger.checkpoint(signingWith: f.operatorKey, state: state)
        #expect(signed.checkpoint.size == 16)

        // The backup is restored: 11 entries, but 16 already signed.
        let restored = try Ledger(path: saved)
        #expect(throws: LedgerError.self) { try restored.checkpoint(signingWith: f.operatorKey, state: state) }
        do { _ = try restored.checkpoint(signingWith: f.operatorKey, state: state) } catch let error as LedgerError {
            #expect(error.code == .behind)
            #expect(error.message.contains("11 entries") && error.message.contains("16") && error.message.contains(state.path))
        }
        #expect(try restored.latestCheckpoint()?.checkpoint.size == 11, "nothing was stored")
        // New, different entries take it past the signed size: a second history, refused.
        _ = try restored.append((11...20).map { try f.event($0, note: "khac") })
        do {
            _ = try restored.checkpoint(signingWith: f.operatorKey, state: state)
            Issue.record("a fork was signed")
        } catch let error as LedgerError {
            #expect(error.code == .fork)
        }
        #expect(throws: LedgerError.self) { try restored.requireExtends(signed.checkpoint, recordedIn: state.path) }
        #expect(try restored.lag(behind: signed.checkpoint) == 0)
        // The ledger that holds the signed history still extends it.
        try f.ledger.requireExtends(signed.checkpoint, recordedIn: state.path)
        #expect(try state.load(operatorKey: f.ledger.metadata.operatorKey)?.note == signed.note)
    }

    @Test func withoutARecordTheStoresOwnLatestCheckpointIsTheFloor() throws {
        let f = try LedgerFixture(events: 10)
        // The store holds a checkpoint the operator signed over another history of 11 entries
        // (what a rewritten store keeps); the key is used from a copy with no record beside it.
        let other = Checkpoint(
            origin: f.ledger.metadata.origin, size: 11, root: try Digest(hex: String(repeating: "ab", count: 32)))
        let note = try other.sign(with: f.operatorKey, as: f.ledger.metadata.operatorKey).encoded
        try f.ledger.store.write { try $0.saveCheckpoint(StoredCheckpoint(size: 11, note: note)) }
        let copy = SignerState(path: f.directory + "/copy.checkpoint")
        do {
            _ = try f.ledger.checkpoint(signingWith: f.operatorKey, state: copy)
            Issue.record("a second history was signed")
        } catch let error as LedgerError {
            #expect(error.code == .fork)
        }
        #expect(!FileManager.default.fileExists(atPath: copy.path))
    }

    @Test func aRecordOfAnotherKeyIsRefused() throws {
        let f = try LedgerFixture(events: 1)
        let other = try LedgerFixture(events: 1)
        let state = SignerState(path: f.directory + "/operator.checkpoint")
        _ = try other.ledger.checkpoint(signingWith: other.operatorKey, state: state)
        do {
            _ = try f.ledger.checkpoint(signingWith: f.operatorKey, state: state)
            Issue.record("signed over another ledger's record")
        } catch let error as LedgerError {
            #expect(error.code == .signerState)
        }
    }

    @Test func theRecordLivesBesideTheKey() {
        #expect(SignerState(besideKey: "/srv/trace.operator.key").path == "/srv/trace.operator.checkpoint")
        #expect(SignerState(besideKey: "op").path == "op.checkpoint")
    }
}
