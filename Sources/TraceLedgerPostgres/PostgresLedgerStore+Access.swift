#if Postgres
    import NIOCore
    import PostgresNIO
    import TraceCrypto
    import TraceLedger

    extension PostgresLedgerStore {
        /// One snapshot or transaction's view.
        ///
        /// A write costs round trips, not server work, so a writer asks little and late: the size,
        /// the tree's right edge and the batch's event ids come in one query (`prefetch`), and
        /// every row written (entries, nodes, checkpoints, side records) waits in memory until one
        /// statement sends them all, just before COMMIT. Reads the buffer can answer (a node or
        /// entry just appended, a side record just put) are answered from it; a read it cannot
        /// (a range) sends the buffer first, so a transaction always reads its own writes.
        final class Access: LedgerWriter {
            let session: Session
            let writing: Bool
            private(set) var nodeReads = 0
            private var knownSize: UInt64?
            private var knownNodes: [Int64: Digest] = [:]
            private var knownIDs: [String: UInt64] = [:]
            private var absentIDs: Set<String> = []
            private var pending = PendingRows()

            init(_ session: Session, writing: Bool) {
                self.session = session
                self.writing = writing
            }

            /// The size, the last leaf, the peaks and which of `ids` are stored, in one round trip.
            private func prefetch(ids: [String]) throws {
                let rows = try session.query(
                    """
                    WITH s AS (SELECT COALESCE(MAX(seq) + 1, 0) AS n FROM entries),
                    want AS (
                        SELECT (l::bigint << 48) | ((s.n >> l) - 1) AS id FROM s, generate_series(0, 47) AS l
                        WHERE (s.n >> l) & 1 = 1
                        UNION SELECT s.n - 1 FROM s WHERE s.n > 0)
                    SELECT 0::bigint, s.n, NULL::bytea, NULL::text FROM s
                    UNION ALL SELECT 1, m.id, m.hash, NULL FROM merkle_nodes m JOIN want USING (id)
                    UNION ALL SELECT 2, e.seq, NULL, e.event_id FROM entries e WHERE e.event_id = ANY($1::text[])
                    """, [ids])
                for row in rows {
                    let (kind, number, hash, id) = try row.decode((Int64, Int64, ByteBuffer?, String?).self)
                    switch kind {
                    case 0: knownSize = UInt64(number)
                    case 1: if let hash { knownNodes[number] = try? Digest(bytes: [UInt8](hash.readableBytesView)) }
                    default: if let id { knownIDs[id] = UInt64(number) }
                    }
                }
                for id in ids where knownIDs[id] == nil { absentIDs.insert(id) }
            }

            func size() throws -> UInt64 {
                if let knownSize { return knownSize }
                if writing {
                    try prefetch(ids: [])
                } else {
                    knownSize = UInt64(try session.query("SELECT COALESCE(MAX(seq) + 1, 0) FROM entries")[0].decode(Int64.self))
                }
                return knownSize ?? 0
            }

            func seqs(forEventIDs ids: [String]) throws -> [String: UInt64] {
                if writing && knownSize == nil {
                    try prefetch(ids: ids)
                } else {
                    let unknown = ids.filter { knownIDs[$0] == nil && !absentIDs.contains($0) }
                    if !unknown.isEmpty {
                        for row in try session.query(
                            "SELECT event_id, seq FROM entries WHERE event_id = ANY($1::text[])", [unknown])
                        {
                            let (id, seq) = try row.decode((String, Int64).self)
                            knownIDs[id] = UInt64(seq)
                        }
                        for id in unknown where knownIDs[id] == nil { absentIDs.insert(id) }
                    }
                }
                var found: [String: UInt64] = [:]
                for id in ids { if let seq = knownIDs[id] { found[id] = seq } }
                return found
            }

            func entryBytes(_ seq: UInt64) throws -> [UInt8]? {
                if let bytes = pending.entryBytes[seq] { return bytes }
                return try session.query("SELECT bytes FROM entries WHERE seq = $1", [Int64(clamping: seq)]).first.map {
                    [UInt8](try $0.decode(ByteBuffer.self).readableBytesView)
                }
            }

            func entries(seqs: [UInt64]) throws -> [UInt64: [UInt8]] {
                var found: [UInt64: [UInt8]] = [:]
                var asked: [Int64] = []
                for seq in Set(seqs) {
                    if let bytes = pending.entryBytes[seq] { found[seq] = bytes } else { asked.append(Int64(clamping: seq)) }
                }
                guard !asked.isEmpty else { return found }
                for row in try session.query("SELECT seq, bytes FROM entries WHERE seq = ANY($1::bigint[])", [asked]) {
                    let (seq, bytes) = try row.decode((Int64, ByteBuffer).self)
                    found[UInt64(seq)] = [UInt8](bytes.readableBytesView)
                }
                return found
            }

            func nodes(at positions: [MerklePosition]) throws -> [MerklePosition: Digest] {
                var found: [MerklePosition: Digest] = [:]
                var asked: [Int64: MerklePosition] = [:]
                for position in positions {
                    let id = PostgresSchema.nodeID(level: position.level, index: position.index)
                    if let known = knownNodes[id] { found[position] = known } else { asked[id] = position }
                }
                guard !asked.isEmpty else { return found }
                for row in try session.query(
                    "SELECT id, hash FROM merkle_nodes WHERE id = ANY($1::bigint[])", [Array(asked.keys)])
                {
                    let (id, hash) = try row.decode((Int64, ByteBuffer).self)
                    nodeReads += 1
                    guard let position = asked[id], let digest = try? Digest(bytes: [UInt8](hash.readableBytesView)) else {
                        continue
                    }
                    found[position] = digest
                    if writing { knownNodes[id] = digest }
                }
                return found
            }

            func sideRecords(_ space: SideSpace, keys: [String]) throws -> [String: [UInt8]] {
                var found: [String: [UInt8]] = [:]
                var asked: [String] = []
                let overlay = pending.side[space.name]
                for key in Set(keys) {
                    if let value = overlay?.values[key] {
                        if let value { found[key] = value }
                    } else if overlay?.cleared != true {
                        asked.append(key)
                    }
                }
                guard !asked.isEmpty else { return found }
                for row in try session.query(
                    "SELECT key, value FROM side_records WHERE space = $1 AND key = ANY($2::text[])", [space.name, asked])
                {
                    let (key, value) = try row.decode((String, ByteBuffer).self)
                    found[key] = [UInt8](value.readableBytesView)
                }
                return found
            }

            func entries(from: UInt64, limit: Int) throws -> [(seq: UInt64, bytes: [UInt8])] {
                guard limit > 0 else { return [] }
                try flush()
                return try session.query(
                    "SELECT seq, bytes FROM entries WHERE seq >= $1 ORDER BY seq LIMIT $2", [Int64(clamping: from), Int64(limit)]
                ).map {
                    let (seq, bytes) = try $0.decode((Int64, ByteBuffer).self)
                    return (UInt64(seq), [UInt8](bytes.readableBytesView))
                }
            }

            func leafHashes(from: UInt64, limit: Int) throws -> [Digest?] { try nodes(level: 0, from: from, limit: limit) }

            func nodes(level: Int, from: UInt64, limit: Int) throws -> [Digest?] {
                guard limit > 0 else { return [] }
                try flush()
                let start = PostgresSchema.nodeID(level: level, index: from)
                var out = [Digest?](repeating: nil, count: limit)
                for row in try session.query(
                    "SELECT id, hash FROM merkle_nodes WHERE id >= $1 AND id < $2 ORDER BY id", [start, start + Int64(limit)])
                {
                    let (id, hash) = try row.decode((Int64, ByteBuffer).self)
                    out[Int(id - start)] = try? Digest(bytes: [UInt8](hash.readableBytesView))
                }
                return out
            }

            func node(level: Int, index: UInt64) throws -> Digest {
                let id = PostgresSchema.nodeID(level: level, index: index)
                if let known = knownNodes[id] { return known }
                nodeReads += 1
                guard let row = try session.query("SELECT hash FROM merkle_nodes WHERE id = $1", [id]).first else {
                    throw LedgerError(.store, "Merkle node at level \(level), index \(index) is missing from the store")
                }
                let hash = try Digest(bytes: [UInt8](try row.decode(ByteBuffer.self).readableBytesView))
                if writing { knownNodes[id] = hash }
                return hash
            }

            func seq(forEventID id: String) throws -> UInt64? {
                if let known = knownIDs[id] { return known }
                if absentIDs.contains(id) { return nil }
                return try session.query("SELECT seq FROM entries WHERE event_id = $1", [id]).first.map {
                    UInt64(try $0.decode(Int64.self))
                }
            }

            func checkpoints() throws -> [StoredCheckpoint] {
                try flush()
                return try session.query("SELECT size, note FROM checkpoints ORDER BY size").map {
                    let (size, note) = try $0.decode((Int64, String).self)
                    return StoredCheckpoint(size: UInt64(size), note: note)
                }
            }

            func checkpoint(size: UInt64?) throws -> StoredCheckpoint? {
                try flush()
                let rows =
                    if let size {
                        try session.query("SELECT size, note FROM checkpoints WHERE size = $1", [Int64(clamping: size)])
                    } else {
                        try session.query("SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1")
                    }
                return try rows.first.map {
                    let (size, note) = try $0.decode((Int64, String).self)
                    return StoredCheckpoint(size: UInt64(size), note: note)
                }
            }

            func sideRecord(_ space: SideSpace, key: String) throws -> [UInt8]? {
                if let overlay = pending.side[space.name] {
                    if let value = overlay.values[key] { return value }
                    if overlay.cleared { return nil }
                }
                return try session.query("SELECT value FROM side_records WHERE space = $1 AND key = $2", [space.name, key]).first
                    .map { [UInt8](try $0.decode(ByteBuffer.self).readableBytesView) }
            }

            func sideRecords(_ space: SideSpace) throws -> [(key: String, value: [UInt8])] {
                try flush()
                return try session.query("SELECT key, value FROM side_records WHERE space = $1 ORDER BY key", [space.name]).map {
                    let (key, value) = try $0.decode((String, ByteBuffer).self)
                    return (key, [UInt8](value.readableBytesView))
                }
            }

            func append(_ entry: Entry, nodes: [MerkleAccumulator.Node]) throws {
                pending.append(entry, nodes: nodes)
                knownSize = entry.seq + 1
                knownIDs[entry.signed.id] = entry.seq
                absentIDs.remove(entry.signed.id)
                for node in nodes { knownNodes[PostgresSchema.nodeID(level: node.level, index: node.index)] = node.hash }
            }

            func saveCheckpoint(_ checkpoint: StoredCheckpoint) throws { pending.save(checkpoint) }

            func putSideRecord(_ space: SideSpace, key: String, value: [UInt8]) throws {
                pending.side[space.name, default: SideOverlay()].values[key] = .some(value)
            }

            func removeSideRecord(_ space: SideSpace, key: String) throws {
                pending.side[space.name, default: SideOverlay()].values[key] = .some(nil)
            }

            func clearSideRecords(_ space: SideSpace) throws { pending.side[space.name] = SideOverlay(cleared: true) }

            /// Sends every buffered row in one statement (and COMMIT after it, in the same wait).
            func flush(thenCommit commit: Bool = false) throws {
                if let (sql, binds) = pending.statement() {
                    pending = PendingRows()
                    if commit {
                        // COMMIT after a failed statement rolls back; the statement's error is thrown.
                        session.send(sql, binds)
                    } else {
                        try session.execute(sql, binds)
                    }
                }
                if commit { try session.execute("COMMIT") }
            }
        }

        /// What one space's side records became in this transaction: a value, or nil for removed.
        struct SideOverlay {
            var cleared = false
            var values: [String: [UInt8]?] = [:]
        }

        /// Rows written in a transaction and not yet sent.
        struct PendingRows {
            var entrySeqs: [Int64] = []
            var entryIDs: [String] = []
            var entryBytes: [UInt64: [UInt8]] = [:]
            var nodeIDs: [Int64] = []
            var nodeHashes: [ByteBuffer] = []
            var checkpoints: [Int64: String] = [:]
            var side: [String: SideOverlay] = [:]

            mutating func append(_ entry: Entry, nodes: [MerkleAccumulator.Node]) {
                entrySeqs.append(Int64(entry.seq))
                entryIDs.append(entry.signed.id)
                entryBytes[entry.seq] = entry.bytes
                for node in nodes {
                    nodeIDs.append(PostgresSchema.nodeID(level: node.level, index: node.index))
                    nodeHashes.append(ByteBuffer(bytes: node.hash.bytes))
                }
            }

            mutating func save(_ checkpoint: StoredCheckpoint) {
                // ON CONFLICT DO NOTHING keeps the first note stored for a size; so does the buffer.
                if checkpoints[Int64(checkpoint.size)] == nil { checkpoints[Int64(checkpoint.size)] = checkpoint.note }
            }

            /// One statement writing every buffered row: each table's rows as arrays through
            /// `unnest`, in data-modifying WITH clauses, or nil when nothing is buffered. Entries are
            /// inserted in seq order, which the table's trigger checks row by row. No row is touched
            /// twice (the side records' deletions skip the keys put), as one statement requires.
            func statement() -> (String, [any PostgresThrowingDynamicTypeEncodable])? {
                var clauses: [String] = []
                var binds: [any PostgresThrowingDynamicTypeEncodable] = []
                func bind(_ value: any PostgresThrowingDynamicTypeEncodable) -> String {
                    binds.append(value)
                    return "$\(binds.count)"
                }
                if !entrySeqs.isEmpty {
                    let bytes = entrySeqs.map { ByteBuffer(bytes: entryBytes[UInt64($0)] ?? []) }
                    clauses.append(
                        "INSERT INTO entries (seq, event_id, bytes) SELECT r.seq, r.event_id, r.bytes FROM unnest("
                            + "\(bind(entrySeqs))::bigint[], \(bind(entryIDs))::text[], \(bind(bytes))::bytea[]) "
                            + "WITH ORDINALITY AS r(seq, event_id, bytes, n) ORDER BY r.n")
                }
                if !nodeIDs.isEmpty {
                    clauses.append(
                        "INSERT INTO merkle_nodes (id, hash) SELECT * FROM unnest(\(bind(nodeIDs))::bigint[], \(bind(nodeHashes))::bytea[])"
                    )
                }
                if !checkpoints.isEmpty {
                    let sizes = checkpoints.keys.sorted()
                    clauses.append(
                        "INSERT INTO checkpoints (size, note) SELECT * FROM unnest(\(bind(sizes))::bigint[], "
                            + "\(bind(sizes.map { checkpoints[$0] ?? "" }))::text[]) ON CONFLICT (size) DO NOTHING")
                }
                var putSpaces: [String] = []
                var putKeys: [String] = []
                var putValues: [ByteBuffer] = []
                var goneSpaces: [String] = []
                var goneKeys: [String] = []
                var cleared: [String] = []
                for space in side.keys.sorted() {
                    guard let overlay = side[space] else { continue }
                    if overlay.cleared { cleared.append(space) }
                    for key in overlay.values.keys.sorted() {
                        if let value = overlay.values[key] ?? nil {
                            putSpaces.append(space)
                            putKeys.append(key)
                            putValues.append(ByteBuffer(bytes: value))
                        } else if !overlay.cleared {
                            goneSpaces.append(space)
                            goneKeys.append(key)
                        }
                    }
                }
                if !goneKeys.isEmpty {
                    clauses.append(
                        "DELETE FROM side_records s USING unnest(\(bind(goneSpaces))::text[], \(bind(goneKeys))::text[]) AS r(space, key) "
                            + "WHERE s.space = r.space AND s.key = r.key")
                }
                let puts = putKeys.isEmpty ? nil : (bind(putSpaces), bind(putKeys), bind(putValues))
                if !cleared.isEmpty {
                    let kept =
                        puts.map { "AND (s.space, s.key) NOT IN (SELECT * FROM unnest(\($0.0)::text[], \($0.1)::text[]))" } ?? ""
                    clauses.append("DELETE FROM side_records s WHERE s.space = ANY(\(bind(cleared))::text[]) \(kept)")
                }
                if let puts {
                    clauses.append(
                        "INSERT INTO side_records (space, key, value) SELECT * FROM unnest(\(puts.0)::text[], \(puts.1)::text[], "
                            + "\(puts.2)::bytea[]) ON CONFLICT (space, key) DO UPDATE SET value = EXCLUDED.value")
                }
                guard let last = clauses.popLast() else { return nil }
                if clauses.isEmpty { return (last, binds) }
                let with = clauses.enumerated().map { "w\($0.offset) AS (\($0.element))" }.joined(separator: ", ")
                return ("WITH \(with) \(last)", binds)
            }
        }
    }
#endif
