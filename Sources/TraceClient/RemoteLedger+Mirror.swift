import CanonicalJSON
import Foundation
public import TraceCrypto
public import TraceDomain
public import TraceLedger

extension RemoteLedger {
    /// The server's whole ledger, copied into memory entry by entry and checked against its
    /// signed checkpoint: for commands that must reason over the ledger's state (`trace epcis
    /// import --server` maps a document against its parties and lots), not only over one lot.
    ///
    /// The checkpoint is opened with `operatorKey` (the genesis key) and the rotations the copy
    /// itself holds, so a server cannot hand out entries its operator never signed. It costs the
    /// whole ledger's transfer and replay: for a large ledger, run the command where the ledger is.
    public func mirror(trusting operatorKey: VerifierKey, pageSize: Int = 1000) throws -> SupplyChain {
        let note = try text("/v1/checkpoint")
        let claimed = try Self.checkpoint(note)
        let store = MemoryLedgerStore(origin: operatorKey.name, operatorKey: operatorKey)
        var seq: UInt64 = 0
        while seq < claimed.size {
            let page = try json("/v1/entries?start=\(seq)&limit=\(pageSize)")
            let items = page["entries"]?.arrayValue ?? []
            guard !items.isEmpty else { throw RemoteError(.unreadable, "the server sent no entry at \(seq)") }
            try store.write { writer in
                for item in items where seq < claimed.size {
                    guard let text = item["entryBytes"]?.stringValue, let bytes = Data(base64Encoded: text),
                        let entry = try? Entry(bytes: [UInt8](bytes), expectedSeq: seq)
                    else { throw RemoteError(.unreadable, "entry \(seq) the server sent is not a readable entry") }
                    try writer.append(entry)
                    seq += 1
                }
            }
        }
        let ledger = try Ledger(store: store)
        let signed: Checkpoint
        do { signed = try ledger.operatorKeys().open(note) } catch {
            throw RemoteError(.tampered, "the server's checkpoint is not signed by the operator key you trust")
        }
        guard try ledger.root(size: signed.size) == signed.root else {
            throw RemoteError(.tampered, "the entries the server sent do not have its signed checkpoint's root")
        }
        return try SupplyChain(ledger: ledger)
    }
}
