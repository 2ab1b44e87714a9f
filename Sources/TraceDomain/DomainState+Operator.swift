import CanonicalJSON
import TraceCrypto
import TraceLedger

extension DomainState {
    /// `operator.rotate`: the operator's key in force names its successor. The old key signs
    /// nothing after this entry; checkpoints whose tree holds it are signed by the new key
    /// (TraceLedger's `OperatorKeys` follows the same chain from the genesis key).
    mutating func rotateOperatorKey(_ ctx: EventContext, _ e: TraceEvent.OperatorRotate) throws {
        guard var record = parties[Self.operatorID] else {
            throw DomainError(.unknownParty, "event \(ctx.id): the ledger has no operator")
        }
        // The nth rotation has a fixed id, so verifiers find the chain through the event-id index.
        let expected = OperatorKeys.eventID(record.keys.count)
        guard ctx.id == expected else {
            throw DomainError(.badInput, "event \(ctx.id): an operator key rotation here must have the id \(expected)")
        }
        let vkey = e.key
        let origin = record.name ?? ""
        guard let name = try? VerifierKey(vkey).name, name == origin else {
            throw DomainError(
                .badInput, "event \(ctx.id): key: the new operator key must be named as the log (\(origin)), like the old one")
        }
        guard !keyInUse(vkey) else {
            throw DomainError(.exists, "event \(ctx.id): the new operator key is already registered; rotate to a new key")
        }
        for i in record.keys.indices where record.keys[i].until == nil { record.keys[i].until = ctx.seq }
        record.keys.append(KeyRecord(vkey: vkey, from: ctx.seq, until: nil))
        parties[Self.operatorID] = record
    }
}
