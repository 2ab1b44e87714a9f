import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

/// C2SP tlog-tiles: paths, which tiles a tree has, their bytes, and the entry size limit.
struct TileTests {
    @Test func pathsAreSpelledAsC2SPTlogTilesSays() throws {
        // The spec's own example: index 1234067 is x001/x234/067.
        #expect(Tile(kind: .hashes(level: 4), index: 1_234_067, width: 1).path == "tile/4/x001/x234/067.p/1")
        #expect(Tile(kind: .hashes(level: 0), index: 0).path == "tile/0/000")
        #expect(Tile(kind: .entries, index: 1000, width: 17).path == "tile/entries/x001/000.p/17")
        #expect(Tile(kind: .entries, index: 999).path == "tile/entries/999")
        for path in ["tile/4/x001/x234/067.p/1", "tile/0/000", "tile/entries/x001/000.p/17", "tile/63/x999/999.p/255"] {
            #expect(Tile(path: path)?.path == path)
        }
        for bad in [
            "tile/0/67", "tile/0/x000/067", "tile/00/000", "tile/0/000.p/256", "tile/0/000.p/0", "tile/0/000.p/01",
            "tile/64/000", "tile/-1/000", "tile/data/000", "tile/0/001/002", "tile/0/x001", "tile/0/000/", "tiles/0/000",
            "tile/entries/000.p", "tile/0/x18446744073709551615/000",
            // Tile numbers from 2^56 up: index * 256 would overflow (a remote crash, once).
            "tile/0/x072/x057/x594/x037/x927/936", "tile/entries/x018/x446/x744/x073/x709/x551/615",
        ] {
            #expect(Tile(path: bad) == nil, "\(bad)")
        }
    }

    @Test func theLargestTileNumbersNeedATreeNoLedgerHasWithoutOverflowing() {
        #expect(Tile(kind: .hashes(level: 0), index: (UInt64.max >> 8) - 1).neededTreeSize == UInt64.max - 255)
        #expect(Tile(kind: .hashes(level: 0), index: UInt64.max).neededTreeSize == .max)
        #expect(Tile(kind: .hashes(level: 5), index: 1 << 40).neededTreeSize == .max)
    }

    @Test func aTreeHasTheFullAndPartialTilesTheSpecLists() {
        // "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0
        // tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one
        // partial level 2 tile of width 1."
        let tiles = Tile.all(treeSize: 70_000)
        func at(_ level: Int) -> [Tile] { tiles.filter { $0.kind == .hashes(level: level) } }
        #expect(at(0).count == 274 && at(0).filter(\.isFull).count == 273 && at(0).last?.width == 112)
        #expect(at(1).map(\.width) == [256, 17])
        #expect(at(2).map(\.width) == [1])
        #expect(at(3).isEmpty)
        #expect(tiles.filter { $0.kind == .entries }.count == 274)
        // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1."
        #expect(Tile.all(treeSize: 256).filter { $0.kind != .entries }.map(\.path) == ["tile/0/000", "tile/1/000.p/1"])
        #expect(Tile.all(treeSize: 0).isEmpty)
    }

    @Test func hashTilesHoldTheTreeAndEntryBundlesTheExactEntries() throws {
        let f = try LedgerFixture(events: 299)
        let size = try f.ledger.size()
        #expect(size == 300)
        let level0 = try f.ledger.tileData(Tile(kind: .hashes(level: 0), index: 0), treeSize: size)
        #expect(level0.count == 256 * 32)
        #expect(Array(level0[(17 * 32)..<(18 * 32)]) == Merkle.leafHash(try f.bytes(17)).bytes)
        // Level 1's one hash is the Merkle tree hash of the first 256 entries.
        let level1 = try f.ledger.tileData(Tile(kind: .hashes(level: 1), index: 0, width: 1), treeSize: size)
        #expect(level1 == (try f.ledger.store.read { try MerkleTree(source: $0).hash(0, 256) }).bytes)
        // The partial bundle holds entries 256 to 299, each behind a big-endian 16-bit length.
        var bundle = try f.ledger.tileData(Tile(kind: .entries, index: 1, width: 44), treeSize: size)[...]
        for seq in 256..<300 {
            let length = Int(bundle[bundle.startIndex]) << 8 | Int(bundle[bundle.startIndex + 1])
            #expect(Array(bundle.dropFirst(2).prefix(length)) == (try f.bytes(seq)))
            bundle = bundle.dropFirst(2 + length)
        }
        #expect(bundle.isEmpty)
        // A tile the tree does not complete yet is refused.
        #expect(throws: LedgerError.self) { try f.ledger.tileData(Tile(kind: .entries, index: 1), treeSize: size) }
        #expect(throws: LedgerError.self) {
            try f.ledger.tileData(Tile(kind: .hashes(level: 0), index: 1, width: 45), treeSize: size)
        }
    }

    @Test func anEntryTooLargeForABundleIsRefusedAtAppendNamingItsSize() throws {
        let f = try LedgerFixture(events: 2)
        // A plot polygon of thousands of vertices is the real case: a long note stands in for it.
        func event(_ id: String, note: String) throws -> SignedEvent {
            try SignedEvent.sign(
                ["id": .string(id), "type": "test.harvest", "note": .string(note)], with: f.partyKey, keyName: "htx-tan-lap")
        }
        let big = try event("ev-big", note: String(repeating: "ruộng ", count: 10_000))
        do {
            _ = try f.ledger.append([try f.event(4), big])
            Issue.record("an entry over 65,535 bytes was appended")
        } catch let error as LedgerError {
            #expect(error.code == .entryTooLarge)
            #expect(error.message.contains("65535") && error.message.contains("geometry") && error.message.contains(big.id))
        }
        #expect(try f.ledger.size() == 3)
        // Just under the limit is fine.
        let fits = try event("ev-fits", note: String(repeating: "a", count: 64_000))
        #expect(try f.ledger.append([fits]).count == 1)
    }

    @Test func publishWritesEveryTileOnceAndTheCheckpointLast() throws {
        let f = try LedgerFixture(events: 299)
        _ = try f.ledger.checkpoint(signingWith: f.operatorKey)
        let out = f.directory + "/tiles"
        let first = try TilePublisher(ledger: f.ledger, folder: out).publish()
        #expect(first.previousSize == nil && first.kept == 0)
        #expect(first.written == Tile.all(treeSize: 300).count)
        for tile in Tile.all(treeSize: 300) {
            let data = FileManager.default.contents(atPath: out + "/" + tile.path).map { [UInt8]($0) }
            #expect(data == (try f.ledger.tileData(tile, treeSize: 300)), "\(tile.path)")
        }
        // More entries and a new checkpoint: only new files are written.
        _ = try f.ledger.append((300...520).map { try f.event($0) })
        let (checkpoint, note) = try f.ledger.checkpoint(signingWith: f.operatorKey)
        let second = try TilePublisher(ledger: f.ledger, folder: out).publish()
        #expect(second.previousSize == 300 && second.checkpoint == checkpoint)
        // Kept: the full level-0 tile and bundle 0, and the partial tiles of size 300.
        #expect(second.kept == 2)
        #expect(second.written == Tile.all(treeSize: checkpoint.size).count - second.kept)
        #expect(String(decoding: FileManager.default.contents(atPath: out + "/checkpoint")!, as: UTF8.self) == note)
        // Nothing new: nothing written.
        #expect(try TilePublisher(ledger: f.ledger, folder: out).publish().written == 0)
    }

    @Test func publishRefusesAFolderOfAnotherHistory() throws {
        let a = try LedgerFixture(events: 10)
        let out = a.directory + "/tiles"
        _ = try TilePublisher(ledger: a.ledger, folder: out).publish()
        // Same operator key, same origin, different entries: a fork must not be published over it.
        let b = try LedgerFixture(events: 0)
        let path = b.directory + "/fork.db"
        let fork = try Ledger.create(path: path, origin: "test.trace.example/ledger", operatorKey: a.operatorKey)
        _ = try fork.append((1...12).map { try a.event($0, note: "khac") })
        _ = try fork.checkpoint(signingWith: a.operatorKey)
        #expect(throws: LedgerError.self) { try TilePublisher(ledger: fork, folder: out).publish() }
    }
}
