import TraceCrypto

extension Entry {
    /// The largest entry, in bytes, that a C2SP tlog-tiles entry bundle can hold: each entry
    /// there is behind a big-endian 16-bit length.
    public static let maxBytes = 65_535

    /// Refuses an entry an entry bundle could not hold, naming its size and the likely cause.
    static func checkSize(_ bytes: Int, event id: String, seq: UInt64) throws {
        guard bytes > maxBytes else { return }
        throw LedgerError(
            .entryTooLarge,
            "event \(id): its entry would be \(bytes) bytes, more than the \(maxBytes) a published entry may hold "
                + "(the log's tiles give each entry a 16-bit length); the likely cause is a plot's geometry with "
                + "too many points: simplify the polygon (a few hundred vertices are plenty) and submit again; nothing was written",
            entry: seq)
    }
}

extension Ledger {
    /// The bytes of a C2SP tlog-tiles resource of the tree of `treeSize` entries: a hash tile's
    /// 32-byte hashes one after another, or an entry bundle's entries each behind a big-endian
    /// 16-bit length. Refuses a tile that tree does not complete.
    public func tileData(_ tile: Tile, treeSize: UInt64) throws -> [UInt8] {
        guard tile.neededTreeSize <= treeSize else {
            throw LedgerError(
                .outOfRange, "\(tile.path) is not part of the tree of \(treeSize) entries (it needs \(tile.neededTreeSize))")
        }
        let first = tile.index * UInt64(Tile.width)
        return try store.read { reader in
            switch tile.kind {
            case .hashes:
                let hashes = try reader.nodes(level: tile.treeLevel, from: first, limit: tile.width)
                var out: [UInt8] = []
                out.reserveCapacity(tile.width * 32)
                for (offset, hash) in hashes.enumerated() {
                    guard let hash else {
                        throw LedgerError(
                            .store,
                            "Merkle node at level \(tile.treeLevel), index \(first + UInt64(offset)) is missing or damaged in the store; run `trace verify`"
                        )
                    }
                    out += hash.bytes
                }
                return out
            case .entries:
                let rows = try reader.entries(from: first, limit: tile.width)
                var out: [UInt8] = []
                for (offset, row) in rows.enumerated() {
                    guard row.seq == first + UInt64(offset) else { break }
                    guard row.bytes.count <= Entry.maxBytes else {
                        throw LedgerError(
                            .entryTooLarge,
                            "entry \(row.seq) is \(row.bytes.count) bytes, more than the \(Entry.maxBytes) an entry bundle can hold; "
                                + "it was appended before the limit was enforced, so this log cannot be published as tiles",
                            entry: row.seq)
                    }
                    out.append(UInt8(row.bytes.count >> 8))
                    out.append(UInt8(row.bytes.count & 0xff))
                    out += row.bytes
                }
                guard rows.count == tile.width, rows.last?.seq == first + UInt64(tile.width) - 1 else {
                    throw LedgerError(
                        .entryMissing, "\(tile.path): an entry from \(first) to \(first + UInt64(tile.width) - 1) is missing",
                        entry: first)
                }
                return out
            }
        }
    }
}
