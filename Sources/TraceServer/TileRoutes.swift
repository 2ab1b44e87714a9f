import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

/// C2SP tlog-tiles over HTTP: `GET /checkpoint`, `/tile/L/N[.p/W]` and `/tile/entries/N[.p/W]`,
/// exactly as `trace publish --out` writes them to a folder. Tiles are cut from the tree of the
/// latest signed checkpoint and never change, so caches may keep them for a year.
struct TileRoutes: Sendable {
    let source: TileSource

    func add(to router: Router<ServerContext>) {
        router.get("/checkpoint") { request, _ in
            let (_, note) = try source.latest()
            return Answer.bytes(
                Array(source.cosigned.withCosignatures(note).utf8), type: "text/plain; charset=utf-8", caching: .revalidate,
                request: request)
        }
        router.get("/tile/**") { request, _ in
            let path = String(request.uri.path.dropFirst())
            guard let tile = Tile(path: path) else {
                throw Problem(
                    .notFound, "tile.bad_path",
                    "\(path.prefix(120)) is not a tile path: tile/L/N[.p/W] or tile/entries/N[.p/W], N in groups like x001/x234/067"
                )
            }
            let (checkpoint, _) = try source.latest()
            guard tile.neededTreeSize <= checkpoint.size else {
                throw Problem(
                    .notFound, "tile.not_yet",
                    "\(tile.path) is not in the tree of the latest checkpoint (\(checkpoint.size) entries); fetch /checkpoint first"
                )
            }
            let bytes = try source.ledger.tileData(tile, treeSize: checkpoint.size)
            return Answer.bytes(bytes, type: "application/octet-stream", caching: .immutable, request: request)
        }
    }
}

/// The ledger tiles are read from (its own connection, so tile reads never wait on the write
/// lock) and the latest signed checkpoint, whose signature is checked once per new note.
final class TileSource: Sendable {
    let ledger: Ledger
    private let known = Mutex<(note: String, checkpoint: Checkpoint)?>(nil)

    /// Where the witnesses' cosignatures are kept: `/checkpoint` carries them.
    let cosigned: CosignedCheckpoints

    init(ledger: Ledger, cosigned: CosignedCheckpoints) {
        self.ledger = ledger
        self.cosigned = cosigned
    }

    func latest() throws -> (checkpoint: Checkpoint, note: String) {
        guard let stored = try ledger.store.read({ try $0.checkpoint(size: nil) }) else {
            throw Problem(.notFound, "proof.no_checkpoint", "the ledger has no signed checkpoint yet")
        }
        if let hit = known.withLock({ $0 }), hit.note == stored.note { return (hit.checkpoint, hit.note) }
        let checkpoint = try ledger.operatorKeys().open(stored.note)
        known.withLock { $0 = (stored.note, checkpoint) }
        return (checkpoint, stored.note)
    }
}
