import Foundation
import TraceCrypto

/// Writes the log as static C2SP tlog-tiles files in a folder, so any static web server or CDN
/// can serve it: `checkpoint`, `tile/L/N[.p/W]` and `tile/entries/N[.p/W]`.
///
/// A later run adds only what is new: a tile file that exists is never rewritten (a full tile
/// can never change, and a partial tile's name carries its width). Each file is written to a
/// temporary name and renamed, and the checkpoint goes last, so a reader who sees a checkpoint
/// finds every tile it needs.
public struct TilePublisher {
    /// What a run did.
    public struct Report: Sendable {
        /// The checkpoint now published.
        public let checkpoint: Checkpoint
        /// The size of the checkpoint the folder held before, if any.
        public let previousSize: UInt64?
        /// Tile and entry bundle files written by this run.
        public let written: Int
        /// Tile and entry bundle files already there.
        public let kept: Int
    }

    public let ledger: Ledger
    /// The folder; created if missing.
    public let folder: String

    public init(ledger: Ledger, folder: String) {
        self.ledger = ledger
        self.folder = folder
    }

    /// Publishes the ledger's latest signed checkpoint and every tile it needs.
    public func publish() throws -> Report {
        guard let (checkpoint, note) = try ledger.latestCheckpoint() else {
            throw LedgerError(.badCheckpoint, "the ledger has no signed checkpoint yet; the operator must run `trace checkpoint`")
        }
        let checkpointPath = folder + "/checkpoint"
        var previousSize: UInt64?
        if let data = FileManager.default.contents(atPath: checkpointPath) {
            let published: Checkpoint
            do {
                published = try ledger.operatorKeys().open(String(decoding: data, as: UTF8.self))
            } catch let error as LedgerError {
                throw LedgerError(
                    .badCheckpoint,
                    "--out: \(checkpointPath) is not a checkpoint of this ledger (\(error.message)); publish into an empty folder or this log's own"
                )
            }
            guard published.origin == checkpoint.origin, published.size <= checkpoint.size else {
                throw LedgerError(
                    .behind,
                    "--out: \(folder) already publishes \(published.origin) at size \(published.size), beyond this ledger's latest checkpoint "
                        + "(\(checkpoint.size)); publish from an up-to-date copy of the ledger; nothing was written")
            }
            let proof = try ledger.consistencyProof(from: published.size, to: checkpoint.size)
            guard proof.verify(oldRoot: published.root, newRoot: checkpoint.root) else {
                throw LedgerError(
                    .fork,
                    "--out: the checkpoint \(folder) publishes (size \(published.size)) is not a prefix of this ledger's: "
                        + "its history differs (a fork); nothing was written")
            }
            previousSize = published.size
        }
        var written = 0
        var kept = 0
        for tile in Tile.all(treeSize: checkpoint.size) {
            let path = folder + "/" + tile.path
            if FileManager.default.fileExists(atPath: path) {
                kept += 1
                continue
            }
            try Self.write(try ledger.tileData(tile, treeSize: checkpoint.size), to: path)
            written += 1
        }
        try Self.write(Array(note.utf8), to: checkpointPath)
        return Report(checkpoint: checkpoint, previousSize: previousSize, written: written, kept: kept)
    }

    /// Writes `bytes` under a temporary name and renames it into place.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw LedgerError(.store, "--out: cannot write \(path): \(error.localizedDescription)")
        }
    }
}
