import CanonicalJSON
import Foundation
import HTTPTypes
import Logging
import Synchronization
import TraceCertificates
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite
import TraceLedgerStores

/// The one ledger every request shares: its supply chain, brought up to date when another
/// process has appended, used by one request at a time (SQLite serialises them anyway).
/// @unchecked Sendable: `chain` is only touched under `lock`.
final class LedgerHost: @unchecked Sendable {
    private let lock = NSLock()
    private var chain: SupplyChain
    private let operatorKey: PrivateKey?
    /// The operator's record of its last signed checkpoint, outside the store.
    private let signerState: SignerState?
    /// The right to sign, where servers on several hosts share the store (PostgreSQL); nil where
    /// holding the key is enough (one file).
    private let lease: (any SignerLease)?
    /// Rendered lot answers and pages, kept until an append touches their lots; read without
    /// `lock`, so a long batch write does not hold up buyers' pages.
    private let answers: Mutex<AnswerCache>
    /// A second connection to the ledger, only to read its committed size: in WAL mode it is not
    /// blocked by a write transaction on the main connection.
    private let probe: Ledger
    /// Where GS1 Digital Links point.
    var publicURL: String { base.withLock { $0 } }
    /// Set once the port is bound when no --public-url was given (`--port 0` picks one).
    private let base: Mutex<String>
    /// Sends each new checkpoint to the witnesses, when the server has any.
    private let witnesses: WitnessPublisher?
    /// The checkpoints with the cosignatures witnesses returned, kept beside the ledger.
    let cosigned: CosignedCheckpoints
    /// The witnesses' keys the buyer's page embeds for the browser's check.
    let witnessKeys: [CosignerKey]

    /// Set when the server started on a full disk and reads through a read-only connection:
    /// every write is then answered 507 with this reason.
    let fullDisk: String?
    /// Set when the server was started `--read-only`: every write is answered 403 with this reason.
    let readOnly: String?
    /// Whether a write may be taken here now.
    var takesWrites: Bool { fullDisk == nil && readOnly == nil }
    /// The figures `/metrics` serves.
    let metrics = ServerMetrics()
    /// One line per entry written: its number, the party and the event kind, never the event's
    /// content (a person's values are committed in it, and clear beside it: docs/OPERATIONS.md).
    private let writeLog: Logger

    /// The host of `ledger`; `probe` reads the same ledger through a second connection (or the
    /// same store, where reads never wait on a write). Witnesses' cosignatures are kept in files
    /// beside `ledgerPath`. `fullDisk` says why writes are refused, when they are.
    init(
        ledger: Ledger, probe: Ledger, ledgerPath: String, operatorKey: PrivateKey?, publicURL: String,
        signerState: SignerState? = nil, witnessURLs: [String] = [], witnessKeys: [CosignerKey] = [], fullDisk: String? = nil,
        readOnly: String? = nil, writeLog: Logger = LedgerHost.defaultWriteLog
    ) throws {
        self.writeLog = writeLog
        self.fullDisk = fullDisk
        self.readOnly = readOnly
        if let operatorKey, operatorKey.publicKey != (try ledger.operatorKeys().current).publicKey {
            throw LedgerError(
                .refused,
                "--key: this is not the operator key of \(ledger.metadata.origin); checkpoints are signed by the operator")
        }
        try Self.checkSignedHistory(ledger, state: signerState, signing: operatorKey != nil)
        self.signerState = signerState
        // Every writing server knows the lease (one without the key to wait for the leader's
        // checkpoints), but only one holding the key ever takes it.
        lease = readOnly != nil ? nil : try ledger.store.signerLease()
        chain = try SupplyChain(ledger: ledger)
        answers = Mutex(AnswerCache(size: chain.state.size))
        self.probe = probe
        self.operatorKey = operatorKey
        base = Mutex(publicURL)
        cosigned = CosignedCheckpoints(besideLedger: ledgerPath)
        self.witnessKeys = witnessKeys
        witnesses = witnessURLs.isEmpty ? nil : WitnessPublisher(urls: witnessURLs, ledger: probe, cosigned: cosigned)
        if let lease, operatorKey != nil, !lease.holdsOrTakes() {
            FileHandle.standardError.write(
                Data(
                    ("trace serve: another trace serve holds the signer lock of \(ledger.metadata.origin) and signs its checkpoints; "
                        + "this one appends and serves, signs nothing, and takes over signing if that one stops\n").utf8))
        }
        try signCheckpointUnlessFull()
    }

    /// Whether this server signs checkpoints now: it holds the operator key and, where servers
    /// share the store, the signer lease (taken here when it is free).
    var signs: Bool { operatorKey != nil && readOnly == nil && (lease?.holdsOrTakes() ?? true) }

    /// Signs what other servers appended, while this one holds the lease: they rely on it for
    /// their answers' checkpoints. Checks every `interval` seconds on a thread of its own, until
    /// the host is gone; a server that does not hold the lease tries to take it each time.
    func leadWhileRunning(interval: Double = 0.1) {
        guard lease != nil, operatorKey != nil else { return }
        let thread = Thread { [weak self] in
            while let host = self {
                host.signIfBehind()
                Thread.sleep(forTimeInterval: interval)
            }
        }
        thread.name = "trace.signer"
        thread.start()
    }

    private func signIfBehind() {
        do {
            // Asked first, every time: a server without the lease takes it as soon as the holder stops.
            guard signs, try committedSize() > checkpointSize() else { return }
            lock.lock()
            defer { lock.unlock() }
            try refresh()
            try signCheckpointUnlessFull()
        } catch {
            FileHandle.standardError.write(Data("trace serve: warning: signing a checkpoint failed: \(error)\n".utf8))
        }
    }

    /// The latest checkpoint once it covers entry `seq`, waiting up to `timeout` seconds for the
    /// signing server (the lease's holder) to sign it; nil when none does in time, or none runs.
    private func awaitLeaderCheckpoint(covering seq: UInt64, timeout: Double = 5) throws -> (
        checkpoint: Checkpoint, note: String
    )? {
        guard let lease, lease.leaderRuns() else { return nil }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let latest = try probe.latestCheckpoint(), latest.checkpoint.size > seq { return latest }
            guard Date() < deadline else { return nil }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Opens the ledger at `location` for writing or, for a SQLite file on a disk too full even to
    /// open it so (SQLite cannot make its log, or the rules index cannot catch up), for reading
    /// only: buyers still get their answers. Returns the store and, when read-only, why.
    static func openForServing(_ location: LedgerLocation) throws -> (store: any LedgerStore, fullDisk: String?) {
        guard case .file(let path) = location else { return (try location.openStore(), nil) }
        let files = FileManager.default
        let quiet = !files.fileExists(atPath: path + "-wal") && !files.fileExists(atPath: path + "-shm")
        do {
            let store = try SQLiteLedgerStore.open(path: path)
            // Catches the rules index up now, where a full disk shows.
            _ = try SupplyChain(ledger: Ledger(store: store))
            return (store, nil)
        } catch let error as LedgerError where error.code == .storeFull {
            // The failed open leaves an empty log and a torn index of its own making. No other
            // connection had the ledger open (it had no log), so they go: the file is then read
            // as it is, immutable, needing no space at all.
            if quiet, (try? files.attributesOfItem(atPath: path + "-wal")[.size] as? Int) == 0 {
                try? files.removeItem(atPath: path + "-wal")
                try? files.removeItem(atPath: path + "-shm")
            }
            let reason =
                "the server's disk is full: it started read-only and writes nothing until space is freed "
                + "and it is started again"
            FileHandle.standardError.write(Data("trace serve: warning: \(error.message); \(reason)\n".utf8))
            return (try SQLiteLedgerStore.open(path: path, readOnly: true), reason)
        }
    }

    /// Why a `--read-only` server refuses a write, naming where writes go.
    static func readOnlyReason(primary: String?) -> String {
        "this server is a read-only replica; send writes to "
            + (primary.map { "the primary at \($0)" } ?? "the primary (the server started without --read-only)")
            + "; nothing was written"
    }

    /// Refuses a write at once on a `--read-only` server, before its body is read.
    func refuseOnReplica() throws {
        if let readOnly { throw Problem(.forbidden, "server.read_only", readOnly) }
    }

    /// The ledger's committed size, read through the probe connection.
    func committedSize() throws -> UInt64 { try probe.size() }

    /// Refuses a write with 403 on a read-only server, and with 507 when it started read-only on a full disk.
    func requireWritable() throws {
        try refuseOnReplica()
        guard let fullDisk else { return }
        throw Problem(
            .init(code: 507, reasonPhrase: "Insufficient Storage"), LedgerError.Code.storeFull.rawValue,
            "\(fullDisk); nothing was written")
    }

    /// Signs the checkpoint the ledger needs, except on a full disk: reads are then answered
    /// against the latest signed one, and writes are refused 507 on their own.
    private func signCheckpointUnlessFull() throws {
        guard fullDisk == nil else { return }
        do { try signCheckpoint() } catch let error as LedgerError where error.code == .storeFull {
            FileHandle.standardError.write(Data("trace serve: warning: \(error.message)\n".utf8))
        }
    }

    /// Signs a checkpoint of the whole ledger when the server holds the operator key and the
    /// latest one is behind, so every entry can be proved.
    @discardableResult
    private func signCheckpoint() throws -> (checkpoint: Checkpoint, note: String)? {
        let latest = try chain.ledger.latestCheckpoint()
        guard let operatorKey, latest?.checkpoint.size != chain.state.size, signs else {
            if let latest { witnesses?.publish(latest.note) }
            return latest
        }
        let signed =
            try signerState.map { try chain.ledger.checkpoint(signingWith: operatorKey, state: $0) }
            ?? chain.ledger.checkpoint(signingWith: operatorKey)
        witnesses?.publish(signed.note)
        return signed
    }

    /// `note` as published: with the witnesses' cosignatures gathered for it so far.
    func published(_ note: String) -> String { cosigned.withCosignatures(note) }

    /// A signing server refuses to start on a ledger behind or forked from the operator's last
    /// signed checkpoint (signing there would make a second history); one that only reads
    /// says how far behind it is and serves what it holds.
    private static func checkSignedHistory(_ ledger: Ledger, state: SignerState?, signing: Bool) throws {
        guard let state, let signed = try state.load(keys: ledger.operatorKeys()) else { return }
        if signing {
            try ledger.requireExtends(signed.checkpoint, recordedIn: state.path)
            return
        }
        let lag = try ledger.lag(behind: signed.checkpoint)
        if lag > 0 {
            FileHandle.standardError.write(
                Data(
                    ("trace serve: warning: this ledger is \(lag) entries behind the operator's last signed checkpoint "
                        + "(size \(signed.checkpoint.size), in \(state.path)); serving the \(try ledger.size()) entries it holds\n")
                        .utf8))
        }
    }

    /// Runs `body` on a supply chain that has seen every committed entry, its own writes and
    /// other processes' alike.
    func read<T>(_ body: (SupplyChain) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        try refresh()
        return try body(chain)
    }

    typealias Cached = AnswerCache.Cached

    /// The size of the latest signed checkpoint. A verdict speaks for it, so answers that carry one
    /// are cached under it: a newly signed checkpoint is seen at once, with no append needed.
    func checkpointSize() throws -> UInt64 { try probe.store.read { try $0.checkpoint(size: nil)?.size ?? 0 } }

    /// The committed size and the latest signed checkpoint's size, from one snapshot of the probe
    /// connection. A cached answer needs both, and each read of the probe is a turn on its one
    /// connection: two reads a request halved the lot API's rate under load.
    func committedSizes() throws -> (entries: UInt64, checkpoint: UInt64) {
        try probe.store.read { reader in (try reader.size(), try reader.checkpoint(size: nil)?.size ?? 0) }
    }

    /// Seconds since the newest entry the newest signed checkpoint covers was recorded (a
    /// checkpoint carries no time of its own); nil when nothing is signed yet.
    func checkpointAge(now: Date = Date()) throws -> Double? {
        try probe.store.read { reader -> Double? in
            guard let size = try reader.checkpoint(size: nil)?.size, size > 0,
                let row = try reader.entries(from: size - 1, limit: 1).first,
                let recorded = try CanonicalJSON.parse(row.bytes)["recorded"]?.stringValue,
                let ms = Timestamp.parse(recorded)
            else { return nil }
            return max(0, now.timeIntervalSince1970 - Double(ms) / 1000)
        }
    }

    /// The answer cached under `key` for the ledger as it is now, or `make`'s, cached. `checkpoint`,
    /// when given, is the latest signed checkpoint's size read with `committed`: an answer made
    /// for an older checkpoint is rebased to it where it can be (`Cached.rebase`), else made again.
    func cached(
        _ key: String, committed: UInt64? = nil, checkpoint: UInt64? = nil, _ make: (SupplyChain) throws -> Cached
    ) throws -> Cached {
        if let hit = try committedHit(key, committed: committed, checkpoint: checkpoint) { return hit }
        lock.lock()
        defer { lock.unlock() }
        try refresh()
        // Another request may have made this answer while this one waited for the lock: an
        // expensive answer (the dashboard's figures) is then made once per append, not once per request.
        if let hit = answers.withLock({ $0.size == chain.state.size ? $0[key] : nil }),
            let current = try hit.current(checkpoint: checkpoint)
        {
            return current
        }
        let made = try make(chain)
        metrics.answerMade()
        let size = chain.state.size
        let ledger = chain.ledger
        answers.withLock { cache in
            cache.advance(to: size, ledger: ledger)
            // Kept only for the ledger it was made from; a cache already further on drops it.
            if cache.size == size { cache[key] = made }
        }
        return made
    }

    /// The answer cached under `key` for the ledger as committed now (`known`, when the caller
    /// read it already), without `lock`: the cache is brought to the committed size (reading any
    /// new entries through the probe connection, which a write in progress does not block), by
    /// one request while the others wait for it. During a write the committed size is still the
    /// old one. An answer for an older checkpoint than `checkpoint` is rebased, or missed.
    private func committedHit(_ key: String, committed known: UInt64? = nil, checkpoint: UInt64? = nil) throws -> Cached? {
        let committed = try known ?? probe.size()
        if answers.withLock({ $0.size }) < committed { advance(to: committed) }
        let (cachedSize, hit) = answers.withLock { ($0.size, $0[key]) }
        guard cachedSize >= committed, let hit else { return nil }
        guard let current = try hit.current(checkpoint: checkpoint) else { return nil }
        if current.checkpoint != hit.checkpoint {
            metrics.answerRebased()
            answers.withLock { cache in if cache.size == cachedSize { cache[key] = current } }
        }
        return current
    }

    /// Brings the answer cache to `committed` for requests that found it behind: the new entries
    /// are read and parsed once, outside the cache's lock (other readers of cached answers go
    /// on), by the first request; those that arrive meanwhile wait for it rather than each
    /// reading the same entries (a batch of 10,000 would otherwise be parsed once per request).
    private func advance(to committed: UInt64) {
        advancing.lock()
        defer { advancing.unlock() }
        let cachedSize = answers.withLock { $0.size }
        guard cachedSize < committed else { return }
        let touched = AnswerCache.touched(from: cachedSize, to: committed, ledger: probe)
        answers.withLock { $0.apply(touched, from: cachedSize, to: committed) }
    }

    /// Held while the answer cache is brought forward: by a request that found it behind, or by
    /// this server's own write from before its commit until the cache has dropped what it touched.
    private let advancing = NSLock()

    /// Makes the statistics' answers one at a time, apart from `lock`.
    private let statsLock = NSLock()

    /// The answer cached under `key`, or `make`'s from the running statistics aggregate read in
    /// one snapshot of the committed ledger through the probe connection: never under `lock`, so
    /// the lot API and writes go on while it is made. Requests that miss together make it once.
    /// Nil when the snapshot has no index in step with it (then `cached` replays).
    func statsCached(_ key: String, plotsOf filter: StatsFilter? = nil, _ make: (StatsAggregate, _ root: String) throws -> Cached)
        throws -> Cached?
    {
        if let hit = try committedHit(key) { return hit }
        statsLock.lock()
        defer { statsLock.unlock() }
        if let hit = try committedHit(key) { return hit }
        guard
            let aggregate = try probe.store.read({
                try StatsAggregate.read($0, plotsOf: filter, limit: StatsPage.mapLimit)
            })
        else { return nil }
        let made = try make(aggregate, try probe.root(size: aggregate.size).hex)
        // Kept only for the ledger it was made from; a cache already further on drops it.
        answers.withLock { cache in if cache.size == aggregate.size { cache[key] = made } }
        return made
    }

    /// The lot keys `events` change (parsed on every core); nil when one may change anything or
    /// does not parse (the rules will refuse it, and then nothing is written).
    static func touchedLots(_ events: [SignedEvent]) -> Set<String>? {
        let lots = ParallelMap.map(count: events.count) { i, _, _ in
            (try? TraceEvent(parsing: events[i])).flatMap(AnswerCache.lots(of:))
        }
        var touched: Set<String> = []
        for set in lots {
            guard let set else { return nil }
            touched.formUnion(set)
        }
        return touched
    }

    /// Where Digital Links point, once the server knows its own address.
    func setPublicURL(_ url: String) { base.withLock { $0 = url } }

    /// The lot's lineage shaped for the public: Digital Links at this server, no clear personal data.
    func lineage(_ code: String, in chain: SupplyChain) throws -> Lineage {
        var lineage = try Lineage(chain: chain, lot: code)
        lineage.digitalLinkBase = publicURL
        // As on a printed label (`DigitalLink`): the genesis operator key and the witnesses.
        lineage.digitalLinkQuery =
            "?k=" + KeyFingerprint.of(chain.ledger.metadata.operatorKey.description)
            + witnessKeys.map { "&w=" + KeyFingerprint.of($0.description) }.joined()
        lineage.disclosesPersonalData = false
        return lineage
    }

    /// The lots an answer about `lineage` shows: the lot, everything it came from and went into.
    static func lots(_ lineage: Lineage) -> Set<String> {
        Set((lineage.upstreamLots + lineage.downstreamLots).map(\.code.key))
    }

    private func refresh() throws {
        // A cached record may predate another process's append: reopen, which reads the index
        // that process brought up to date in its own transaction.
        if try chain.ledger.size() != chain.state.size {
            chain = try SupplyChain(ledger: chain.ledger)
            try signCheckpointUnlessFull()
        }
    }

    /// The write log on standard error, at `info` unless `LOG_LEVEL` says otherwise.
    static var defaultWriteLog: Logger {
        var log = Logger(label: "trace.serve.writes")
        log.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        return log
    }

    /// Logs each entry appended and counts it; a duplicate resubmitted wrote nothing and is not logged.
    private func logWrites(_ results: [AppendResult]) {
        let fresh = results.filter { !$0.duplicate }
        metrics.appended(fresh.count)
        for result in fresh {
            // Only the entry number, the actor (a party id, public in every entry) and the event
            // type: never member values, which may hold a person's commitments or free text.
            let event = result.entry.signed.event
            let party = event["actor"]?.stringValue ?? "?"
            let kind = event["type"]?.stringValue ?? "?"
            writeLog.info(
                "appended entry \(result.entry.seq): \(kind) by \(party)",
                metadata: ["entry": "\(result.entry.seq)", "party": "\(party)", "kind": "\(kind)"])
        }
    }

    /// Logs a published certificate: its lot, exporter and form, never what it discloses (a full
    /// certificate carries farmers' names).
    func logPublished(_ certificate: OriginCertificate, checkpointSize: UInt64) {
        let form = certificate.redacted ? "redacted" : "full"
        writeLog.info(
            "published the \(form) certificate of lot \(certificate.lot) by \(certificate.exporter) at checkpoint \(checkpointSize)",
            metadata: ["lot": "\(certificate.lot)", "party": "\(certificate.exporter)", "kind": "certificate"])
    }

    /// What a write did: each event's entry, and the signed checkpoint that covers them (nil when
    /// the server has no operator key and no checkpoint covers them yet).
    struct Written {
        let results: [AppendResult]
        let checkpoint: (checkpoint: Checkpoint, note: String)?
        let proofs: [(proof: InclusionProof, bytes: [UInt8])]
    }

    /// Appends signed events exactly as `trace submit` does: every event is checked against the
    /// rules first and every refusal reported, then all are appended in one transaction or none.
    func submit(_ events: [SignedEvent]) throws -> Written {
        let (results, ledger, signed) = try append(events)
        var checkpoint = signed
        // Where another server signs (it holds the lease), its checkpoint covers this write a moment
        // later: waited for outside the lock, so this server's other requests go on meanwhile.
        if let last = results.map(\.entry.seq).max(), checkpoint.map({ $0.checkpoint.size <= last }) ?? true {
            checkpoint = try awaitLeaderCheckpoint(covering: last) ?? checkpoint
        }
        guard let checkpoint, results.allSatisfy({ $0.entry.seq < checkpoint.checkpoint.size }) else {
            return Written(results: results, checkpoint: nil, proofs: [])
        }
        let proofs = try ledger.inclusionProofs(results.map(\.entry.seq), treeSize: checkpoint.checkpoint.size)
        for (proof, _) in proofs where !proof.verify(root: checkpoint.checkpoint.root) {
            throw LedgerError(.rootMismatch, "the proof of entry \(proof.index) does not lead to the checkpoint's root")
        }
        return Written(results: results, checkpoint: checkpoint, proofs: proofs)
    }

    /// The appending half of `submit`, under the lock: the entries, and the checkpoint this
    /// server signed for them (or the latest one, when it signs nothing).
    private func append(_ events: [SignedEvent]) throws -> (
        results: [AppendResult], ledger: Ledger, checkpoint: (checkpoint: Checkpoint, note: String)?
    ) {
        try requireWritable()
        lock.lock()
        defer { lock.unlock() }
        try refresh()
        let refusals = events.count > 1 ? chain.dryRun(events) : []
        if let first = refusals.first {
            throw Problem(
                .unprocessableContent, first.error.code.rawValue,
                "event \(first.index) (\(events[first.index].id)): \(first.error.message); nothing was written "
                    + "(\(refusals.count) of \(events.count) events refused)",
                extensions: [
                    "refusals": .array(
                        refusals.map {
                            [
                                "index": .number(Double($0.index)), "eventId": .string(events[$0.index].id),
                                "code": .string($0.error.code.rawValue), "detail": .string($0.error.message),
                            ]
                        })
                ])
        }
        // What the batch touches, known before it commits: the cache then drops those answers as
        // the commit becomes visible, and no reader has to read the batch back to learn it.
        let touched = Self.touchedLots(events)
        let before = chain.state.size
        advancing.lock()
        let results: [AppendResult]
        do {
            results = try chain.submit(events)
        } catch {
            advancing.unlock()
            throw error
        }
        let after = chain.state.size
        // Only when the entries since `before` are this batch's: where another process appended
        // meanwhile, the readers bring the cache forward by reading the entries back.
        let fresh = results.filter { !$0.duplicate }
        if after - before == UInt64(fresh.count), fresh.allSatisfy({ (before..<after).contains($0.entry.seq) }) {
            answers.withLock { $0.apply(touched, from: before, to: after) }
        }
        advancing.unlock()
        logWrites(results)
        return (results, chain.ledger, try signCheckpoint())
    }
}
