import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// Signed events for a `trace serve` that are not yet known to be recorded: one file per event in
/// a folder (`--outbox`, else `$TRACE_OUTBOX`, else `./trace-outbox`). An event is written here
/// before it is sent and removed only once the server has answered for it, so a write whose
/// answer was lost is resent with the same id (recorded once), never made again with a new one.
struct Outbox {
    let folder: String

    init(_ option: String?) {
        folder = option ?? ProcessInfo.processInfo.environment["TRACE_OUTBOX"] ?? "trace-outbox"
    }

    /// One waiting event.
    struct Item {
        let file: String
        let server: String
        let signed: SignedEvent
        let summary: String
        let queued: String

        var json: JSONValue {
            [
                "server": .string(server), "signed": signed.json, "summary": .string(summary), "queued": .string(queued),
            ]
        }
    }

    /// The refused events, kept with the server's reason: never dropped in silence.
    var refusedFolder: String { folder + "/refused" }

    /// The events waiting, oldest first.
    func waiting() throws -> [Item] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return try names.filter { $0.hasSuffix(".json") && $0 != "signers.json" }.compactMap { name -> Item? in
            let path = folder + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            let json: JSONValue
            do { json = try CanonicalJSON.parse([UInt8](data)) } catch {
                throw CLIFailure.input("error: --outbox: \(path) is not readable JSON; move it aside and run `trace sync` again")
            }
            guard let server = json["server"]?.stringValue, let signed = json["signed"].flatMap({ try? SignedEvent(json: $0) })
            else {
                throw CLIFailure.input("error: --outbox: \(path) is not a queued event; move it aside and run `trace sync` again")
            }
            return Item(
                file: path, server: server, signed: signed, summary: json["summary"]?.stringValue ?? "",
                queued: json["queued"]?.stringValue ?? "")
        }.sorted { ($0.queued, $0.file) < ($1.queued, $1.file) }
    }

    /// A waiting event for the same server that says the same as `event` but for its id and time:
    /// the same write tried again.
    func pending(matching event: JSONValue, server: String) throws -> Item? {
        func comparable(_ e: JSONValue) -> [String: JSONValue] {
            var o = e.objectValue ?? [:]
            o["id"] = nil
            o["time"] = nil
            return o
        }
        let wanted = comparable(event)
        return try waiting().first { $0.server == server && comparable($0.signed.event) == wanted }
    }

    /// Writes `signed` to the outbox (atomically: a torn file is never left for `sync` to read).
    @discardableResult
    func put(_ signed: SignedEvent, server: String, summary: String) throws -> Item {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let item = Item(
            file: folder + "/" + Self.fileName(signed.id), server: server, signed: signed, summary: summary,
            queued: Timestamp.now())
        try Self.write(item.json, to: item.file)
        return item
    }

    /// Forgets an event the server has recorded.
    func remove(_ item: Item) { try? FileManager.default.removeItem(atPath: item.file) }

    /// Moves a refused event aside with the server's reason.
    func refuse(_ item: Item, reason: String) throws {
        try FileManager.default.createDirectory(atPath: refusedFolder, withIntermediateDirectories: true)
        var json = item.json.objectValue ?? [:]
        json["refused"] = .string(reason)
        try Self.write(.object(json), to: refusedFolder + "/" + Self.fileName(item.signed.id))
        remove(item)
    }

    /// The party and key name the server last gave for a public key, so an event can be signed
    /// while the server cannot be reached.
    func cachedSigner(_ publicKey: PublicKey, server: String) -> (party: String, keyName: String)? {
        guard let data = FileManager.default.contents(atPath: folder + "/signers.json"),
            let json = try? CanonicalJSON.parse([UInt8](data)),
            let entry = json[server + " " + Hex.encode(publicKey.bytes)],
            let party = entry["party"]?.stringValue, let keyName = entry["keyName"]?.stringValue
        else { return nil }
        return (party, keyName)
    }

    func cacheSigner(_ publicKey: PublicKey, server: String, party: String, keyName: String) {
        let path = folder + "/signers.json"
        var json =
            FileManager.default.contents(atPath: path).flatMap { try? CanonicalJSON.parse([UInt8]($0)) }?.objectValue ?? [:]
        let key = server + " " + Hex.encode(publicKey.bytes)
        let entry: JSONValue = ["party": .string(party), "keyName": .string(keyName)]
        guard json[key] != entry else { return }
        json[key] = entry
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? Self.write(.object(json), to: path)
    }

    private static func fileName(_ id: String) -> String { id.replacingOccurrences(of: "/", with: "_") + ".json" }

    private static func write(_ json: JSONValue, to path: String) throws {
        let temporary = path + ".tmp"
        let data = Data(try CanonicalJSON.encode(json))
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw CLIFailure(status: 3, message: "error: --outbox: cannot write \(temporary)")
        }
        if rename(temporary, path) != 0 { throw CLIFailure(status: 3, message: "error: --outbox: cannot write \(path)") }
    }
}

extension CLIFailure {
    /// The server could not be reached: exit 3, with nothing written there.
    static func unreachable(_ message: String) -> CLIFailure { CLIFailure(status: 3, message: message) }
}
