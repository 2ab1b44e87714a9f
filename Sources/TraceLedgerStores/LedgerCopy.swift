public import TraceCrypto
public import TraceLedger
import TraceLedgerSQLite

/// Copies a ledger from one store to another (SQLite to PostgreSQL and back), entry by entry with
/// the same bytes, so the copy has the same root and every signed checkpoint still holds.
public enum LedgerCopy {
    /// What a copy did.
    public struct Outcome: Sendable {
        /// Entries written to the destination (those it already held are skipped).
        public let copied: UInt64
        /// Entries in both ledgers afterwards.
        public let size: UInt64
        /// Their Merkle root, the same on both sides.
        public let root: Digest
    }

    /// The copy's three passes, for a progress bar.
    public enum Stage: String, Sendable {
        case verifyingSource = "verifying source"
        case copying = "copying"
        case verifyingCopy = "verifying copy"
    }

    /// Called as a copy goes: the pass, the entries done in it and its total.
    public typealias Progress = (_ stage: Stage, _ done: UInt64, _ total: UInt64) -> Void

    /// Verifies the source, copies the entries the destination lacks (creating it if absent), its
    /// checkpoints and the side records of `spaces` in one transaction, then verifies the copy. A
    /// destination that holds another ledger (other origin or key, or different entries) is
    /// refused before anything is written.
    public static func copy(
        from source: LedgerLocation, to destination: LedgerLocation, spaces: [SideSpace], progress: Progress? = nil
    ) throws -> Outcome {
        let from = try Ledger(at: source, readOnly: true)
        let meta = from.metadata
        // A file at an older store format is read as it is, without side records: copying it
        // would leave its personal data and certificates behind, so it is migrated first.
        if let file = from.store as? SQLiteLedgerStore, !file.hasSideRecords {
            throw LedgerError(
                .refused,
                "--from \(source) is at store format \(file.version), whose personal data and certificates a copy "
                    + "cannot read; run `trace migrate --ledger \(source)` first, then copy again; nothing was written")
        }
        let checked = try from.verify(progress: progress.map { report in { report(.verifyingSource, $0, $1) } })
        if let failure = checked.failure {
            throw LedgerError(failure.code, "--from \(source): verification failed: \(failure.message)", entry: failure.entry)
        }
        let target: any LedgerStore
        do { target = try destination.openStore() } catch let error as LedgerError where error.code == .noSuchLedger {
            target = try destination.createStore(origin: meta.origin, operatorKey: meta.operatorKey)
        }
        let theirs = try target.metadata()
        guard theirs.origin == meta.origin, theirs.operatorKey == meta.operatorKey else {
            throw LedgerError(
                .ledgerExists,
                "--to \(destination) holds another ledger (\(theirs.origin)), not \(meta.origin); nothing was written")
        }
        let size = checked.entries
        let chunk = 1024
        let copied = try target.write { writer -> UInt64 in
            let held = try writer.size()
            guard held <= size else {
                throw LedgerError(
                    .ledgerExists,
                    "--to \(destination) holds \(held) entries, more than the \(size) of --from; nothing was written")
            }
            // What the destination holds must be the source's first entries, leaf for leaf.
            var seq: UInt64 = 0
            while seq < held {
                let n = Int(min(UInt64(chunk), held - seq))
                let ours = try from.store.read { try $0.leafHashes(from: seq, limit: n) }
                let stored = try writer.leafHashes(from: seq, limit: n)
                if let i = (0..<n).first(where: { ours[$0] == nil || ours[$0] != stored[$0] }) {
                    throw LedgerError(
                        .ledgerExists,
                        "--to \(destination) holds a different ledger: entry \(seq + UInt64(i)) differs; nothing was written",
                        entry: seq + UInt64(i))
                }
                seq += UInt64(n)
            }
            while seq < size {
                let rows = try from.store.read { try $0.entries(from: seq, limit: chunk) }
                for row in rows where row.seq < size { try writer.append(try Entry(bytes: row.bytes, expectedSeq: row.seq)) }
                seq += UInt64(rows.count)
                progress?(.copying, min(seq, size), size)
                if rows.isEmpty { break }
            }
            for checkpoint in try from.store.read({ try $0.checkpoints() }) where checkpoint.size <= size {
                try writer.saveCheckpoint(checkpoint)
            }
            for space in spaces {
                try writer.clearSideRecords(space)
                for record in try from.store.read({ try $0.sideRecords(space) }) {
                    try writer.putSideRecord(space, key: record.key, value: record.value)
                }
            }
            return size - held
        }
        let copy = try Ledger(store: target)
        let report = try copy.verify(progress: progress.map { report in { report(.verifyingCopy, $0, $1) } })
        if let failure = report.failure {
            throw LedgerError(
                failure.code, "--to \(destination): the copy does not verify: \(failure.message)", entry: failure.entry)
        }
        let root = try from.root(size: size)
        guard try copy.root(size: size) == root else {
            throw LedgerError(.rootMismatch, "--to \(destination): the copy's root differs from the source's")
        }
        return Outcome(copied: copied, size: size, root: root)
    }
}
