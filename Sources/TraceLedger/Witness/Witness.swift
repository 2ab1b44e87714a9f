import Foundation
public import TraceCrypto

/// A C2SP tlog-witness: for each log it knows, it keeps the latest checkpoint it cosigned
/// (durably, one file per log in its state folder) and cosigns a new one only when a
/// consistency proof shows that it extends that one.
/// @unchecked Sendable: the state files are only read and replaced under `lock`.
public final class Witness: @unchecked Sendable {
    /// The witness's own key, as clients name it.
    public let key: CosignerKey
    private let privateKey: PrivateKey
    /// The logs it witnesses, by origin (a log's key name is its origin); after an operator key
    /// rotation a log has two keys, in the order of the rotation (`--log OLD --log NEW`): a
    /// checkpoint signed by either is accepted until one signed by the newer key is cosigned, and
    /// from then on only the newer key's (a stolen replaced key gets no more cosignatures).
    private let logs: [String: [VerifierKey]]
    private let stateFolder: String
    private let lock = NSLock()

    /// How an `add-checkpoint` request was answered.
    public enum Answer: Sendable, Equatable {
        /// Cosigned: the signature lines to send back.
        case cosigned(String)
        /// 409: the old size is not the size last cosigned (given), or the same size with another root.
        case conflict(size: UInt64)
        /// 404: no log with this origin is known.
        case unknownLog(String)
        /// 403: no signature from the log's key verifies.
        case forbidden(String)
        /// 400: a malformed request, or an old size above the checkpoint's.
        case badRequest(String)
        /// 422: the consistency proof does not verify.
        case badProof(String)
    }

    /// A witness signing with `privateKey` as `name`, for `logs`, keeping state in `stateFolder`.
    public init(name: String, privateKey: PrivateKey, logs: [VerifierKey], stateFolder: String) throws {
        key = try CosignerKey(name: name, publicKey: privateKey.publicKey)
        self.privateKey = privateKey
        self.logs = Dictionary(grouping: logs, by: \.name)
        self.stateFolder = stateFolder
        try FileManager.default.createDirectory(atPath: stateFolder, withIntermediateDirectories: true)
    }

    /// The state file of the log with `origin`: named by a hash, since an origin may hold "/".
    private func state(_ origin: String) -> SignerState {
        SignerState(path: stateFolder + "/" + Hex.encode(SHA256.hash(Array(origin.utf8)).bytes) + ".checkpoint")
    }

    /// The latest checkpoint cosigned for `origin`, or nil.
    public func latest(origin: String) throws -> Checkpoint? {
        guard let keys = logs[origin] else { return nil }
        return try Self.load(state(origin), keys: keys)?.checkpoint
    }

    /// The recorded checkpoint, opened with whichever of the log's keys signed it.
    private static func load(_ record: SignerState, keys: [VerifierKey]) throws -> (checkpoint: Checkpoint, note: String)? {
        var failure: (any Error)?
        for key in keys {
            do { return try record.load(operatorKey: key) } catch { failure = error }
        }
        if let failure { throw failure }
        return nil
    }

    /// The position, among the log's keys, of the newest key whose signature on `note` verifies.
    private static func signer(of note: SignedNote, keys: [VerifierKey]) -> Int? {
        keys.indices.last { (try? note.open(with: keys[$0])) != nil }
    }

    /// Answers one `add-checkpoint` request body, at `now` (seconds since the epoch).
    public func addCheckpoint(_ body: String, now: UInt64) -> Answer {
        let request: AddCheckpointRequest
        let note: SignedNote
        let checkpoint: Checkpoint
        do {
            request = try AddCheckpointRequest(parsing: body)
            note = try SignedNote(parsing: request.note)
            checkpoint = try Checkpoint(text: note.text)
        } catch {
            return .badRequest("\(error)")
        }
        guard let keys = logs[checkpoint.origin] else {
            return .unknownLog("this witness does not witness the log \(checkpoint.origin)")
        }
        guard let signer = Self.signer(of: note, keys: keys) else {
            return .forbidden("no signature on the checkpoint verifies with the key of \(checkpoint.origin) this witness holds")
        }
        guard request.oldSize <= checkpoint.size else {
            return .badRequest("old size \(request.oldSize) is above the checkpoint's size \(checkpoint.size)")
        }
        // Checking against the last checkpoint and recording the new one is one step, so two
        // requests cannot roll the record back (tlog-witness's race).
        lock.lock()
        defer { lock.unlock() }
        let record = state(checkpoint.origin)
        let recorded: (checkpoint: Checkpoint, note: String)?
        do { recorded = try Self.load(record, keys: keys) } catch { return .badRequest("\(error)") }
        let last = recorded?.checkpoint
        if let recorded, let lastNote = try? SignedNote(parsing: recorded.note),
            let lastSigner = Self.signer(of: lastNote, keys: keys), signer < lastSigner
        {
            return .forbidden(
                "the checkpoint is signed by the key \(Hex.encode(keys[signer].keyHash)) of \(checkpoint.origin), which the log "
                    + "replaced: this witness has cosigned a checkpoint signed by its successor \(Hex.encode(keys[lastSigner].keyHash))"
            )
        }
        guard request.oldSize == (last?.size ?? 0) else { return .conflict(size: last?.size ?? 0) }
        if let last {
            if last.size == checkpoint.size {
                guard last.root == checkpoint.root, request.proof.isEmpty else { return .conflict(size: last.size) }
            } else {
                let proof = ConsistencyProof(oldSize: last.size, newSize: checkpoint.size, hashes: request.proof)
                guard proof.verify(oldRoot: last.root, newRoot: checkpoint.root) else {
                    return .badProof(
                        "the consistency proof does not show that the checkpoint of size \(checkpoint.size) extends "
                            + "the one of size \(last.size) this witness cosigned")
                }
            }
        } else if !request.proof.isEmpty {
            return .badProof("the consistency proof from size 0 must be empty")
        }
        do {
            try record.save(note: request.note)
            let cosignature = try Cosignature.sign(checkpointText: note.text, timestamp: now, key: privateKey)
            return .cosigned(cosignature.line(by: key))
        } catch {
            return .badRequest("\(error)")
        }
    }
}
