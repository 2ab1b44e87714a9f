public import TraceCrypto

/// What a client requires of a checkpoint: valid cosignatures from at least `quorum` of the
/// witnesses it names. Cosignatures from other keys are ignored, as tlog-cosignature says.
public struct WitnessPolicy: Sendable {
    /// The witnesses the client trusts.
    public let witnesses: [CosignerKey]
    /// How many of them must have cosigned.
    public let quorum: Int

    /// A policy; throws when the quorum cannot be met by the named witnesses.
    public init(witnesses: [CosignerKey], quorum: Int) throws {
        guard quorum >= 1, quorum <= witnesses.count else {
            throw LedgerError(
                .badCheckpoint,
                "--witness-quorum \(quorum) must be between 1 and the number of --witness keys given (\(witnesses.count))")
        }
        guard Set(witnesses).count == witnesses.count else {
            throw LedgerError(.badCheckpoint, "--witness: the same witness key is named twice")
        }
        self.witnesses = witnesses
        self.quorum = quorum
    }

    /// The trusted witnesses whose valid cosignature the note carries.
    public func cosigners(of note: SignedNote) -> [CosignerKey] {
        witnesses.filter { key in
            note.signatures.contains { line in
                Cosignature(line, key: key)?.verifies(checkpointText: note.text, key: key) ?? false
            }
        }
    }

    /// Throws `ledger.witness_quorum` naming the missing witnesses unless the note has a quorum.
    public func check(_ note: SignedNote) throws {
        let present = cosigners(of: note)
        guard present.count < quorum else { return }
        let missing = witnesses.filter { !present.contains($0) }.map(\.name)
        let size = (try? Checkpoint(text: note.text)).map { "of size \($0.size) " } ?? ""
        throw LedgerError(
            .witnessQuorum,
            "the checkpoint \(size)is cosigned by \(present.count) of the \(quorum) witnesses required (of \(witnesses.count) named); "
                + "missing: \(missing.joined(separator: ", "))")
    }

    /// The newest of `notes` that meets the quorum, or nil.
    public func newest(of notes: [String]) -> (checkpoint: Checkpoint, note: String)? {
        notes.compactMap { text -> (Checkpoint, String)? in
            guard let note = try? SignedNote(parsing: text), (try? check(note)) != nil,
                let checkpoint = try? Checkpoint(text: note.text)
            else { return nil }
            return (checkpoint, text)
        }.max { $0.0.size < $1.0.size }
    }
}
