public import CanonicalJSON
public import Foundation
public import TraceCrypto
public import TraceDomain
public import TraceLedger

/// A ledger behind a `trace serve`: the client signs, the server receives signed events, and
/// private keys never leave the client's machine. Every answer that can be checked is checked.
public struct RemoteLedger: Sendable {
    /// The server's base URL, without a trailing slash.
    public let base: String
    let transport: RemoteTransport

    /// The server at `url` (for example `http://127.0.0.1:8080`), reached through `transport`.
    public init(_ url: String, transport: @escaping RemoteTransport = RemoteFetch.send) {
        base = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.transport = transport
    }

    /// The answer to `GET path` as JSON; a refusal throws with the server's problem detail.
    public func json(_ path: String, headers: [String: String] = [:]) throws -> JSONValue {
        try parse(try transport(RemoteRequest(method: "GET", url: base + path, headers: headers)))
    }

    /// `PUT path` with a JSON body; the answer's JSON.
    public func put(_ path: String, body: [UInt8]) throws -> JSONValue {
        try parse(try transport(RemoteRequest(method: "PUT", url: base + path, body: Data(body))))
    }

    /// The answer to `GET path` as text.
    public func text(_ path: String) throws -> String {
        let (status, body) = try transport(RemoteRequest(method: "GET", url: base + path))
        guard status == 200 else {
            // A 4xx will not change on retry; say what the server said.
            throw RemoteError(
                .refused, "\(base + path) answered \(status): \(String(decoding: body.prefix(300), as: UTF8.self))")
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// The party whose current key `key` is, and the key name to sign under.
    public func signer(for key: PrivateKey) throws -> (party: String, keyName: String) {
        let answer = try json("/v1/signers/" + Hex.encode(key.publicKey.bytes))
        guard let party = answer["party"]?.stringValue, let vkey = answer["vkey"]?.stringValue.flatMap({ try? VerifierKey($0) })
        else { throw RemoteError(.unreadable, "the server's answer about this key is not readable") }
        return (party, vkey.name)
    }

    /// Sends signed events (one, or a batch) and returns each one's entry as the server recorded
    /// it; an entry whose bytes do not match the server's leaf hash, or that is not the event
    /// sent, throws `.tampered`.
    public func submit(_ events: [SignedEvent]) throws -> [AppendResult] {
        guard !events.isEmpty else { return [] }
        let single = events.count == 1
        let body: JSONValue = single ? events[0].json : ["events": .array(events.map(\.json))]
        let answer = try parse(
            try transport(
                RemoteRequest(
                    method: "POST", url: base + (single ? "/v1/events" : "/v1/events:batch"),
                    body: Data(try CanonicalJSON.encode(body)))))
        let items =
            single
            ? [
                answer.objectValue.map { o -> JSONValue in
                    var o = o
                    o["entryBytes"] = answer["inclusion"]?["entryBytes"]
                    return .object(o)
                } ?? answer
            ] : (answer["entries"]?.arrayValue ?? [])
        guard items.count == events.count else {
            throw RemoteError(.unreadable, "the server answered for \(items.count) events, not the \(events.count) sent")
        }
        return try zip(items, events).map { item, sent in
            guard let seq = item["entry"]?.intValue, seq >= 0, let leaf = item["leafHash"]?.stringValue else {
                throw RemoteError(.unreadable, "the server's answer is not readable")
            }
            // Without a proof in the answer (the server holds no operator key), fetch the entry.
            let bytes =
                try item["entryBytes"]?.stringValue.flatMap { Data(base64Encoded: $0) }
                ?? Data(
                    base64Encoded: json("/v1/entries?start=\(seq)&limit=1")["entries"]?.arrayValue?.first?["entryBytes"]?
                        .stringValue ?? "")
                ?? Data()
            let entry: Entry
            do { entry = try Entry(bytes: [UInt8](bytes), expectedSeq: UInt64(seq)) } catch {
                throw RemoteError(.tampered, "entry \(seq) the server sent is not a readable entry")
            }
            guard entry.leafHash().hex == leaf else {
                throw RemoteError(.tampered, "entry \(seq) the server sent does not match its leaf hash")
            }
            guard entry.signed == sent else {
                throw RemoteError(.tampered, "entry \(seq) the server sent does not hold the event that was sent")
            }
            return AppendResult(entry: entry, leafHash: entry.leafHash(), duplicate: item["duplicate"]?.boolValue ?? false)
        }
    }

    /// The operator key the server's genesis entry names: trust on first use, for a buyer who
    /// was not given the key (a key given out of band is better).
    public func operatorKey() throws -> VerifierKey {
        let page = try json("/v1/entries?start=0&limit=1")
        guard let text = page["entries"]?.arrayValue?.first?["entry"]?["event"]?["operator"]?.stringValue,
            let key = try? VerifierKey(text)
        else { throw RemoteError(.unreadable, "the server's genesis entry names no operator key") }
        return key
    }

    /// The checkpoint a server's signed note carries. Its signature is checked by whoever holds
    /// the operator key (`checkpoint(trusting:)`).
    public static func checkpoint(_ note: String) throws -> Checkpoint {
        do { return try Checkpoint(text: SignedNote(parsing: note).text) } catch let error as LedgerError {
            throw RemoteError(.unreadable, "the server's checkpoint is not readable: \(error.message)")
        }
    }

    /// The server's current checkpoint, checked against the operator key the caller trusts.
    public func checkpoint(trusting operatorKey: VerifierKey) throws -> Checkpoint {
        let note = try text("/v1/checkpoint")
        guard let checkpoint = try? Checkpoint.open(note, operatorKey: operatorKey) else {
            throw RemoteError(.tampered, "the server's checkpoint is not signed by the operator key you trust")
        }
        return checkpoint
    }

    /// A lot's story as `GET /v1/lots/{code}/story` sends it, for `LotVerifier.check`.
    public static func story(_ answer: JSONValue) throws -> LotStory {
        let unreadable = RemoteError(.unreadable, "the lot's story the server sent is not readable")
        guard let note = answer["checkpoint"]?.stringValue, let items = answer["entries"]?.arrayValue else { throw unreadable }
        return LotStory(
            note: note,
            entries: try items.map { item in
                guard let seq = item["seq"]?.intValue, seq >= 0 else { throw unreadable }
                let path = try (item["proof"]?.arrayValue ?? []).map { hash in
                    guard let digest = try? Digest(hex: hash.stringValue ?? "") else { throw unreadable }
                    return digest
                }
                return LotStory.Item(
                    seq: UInt64(seq),
                    bytes: item["entryBytes"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }, path: path)
            })
    }

    /// `text` as one path segment (a lot code is letters, digits and '-'; anything else is escaped).
    public static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_", "."])) ?? ""
    }

    /// The JSON of a 2xx answer; a problem answer throws `.refused` with the server's detail and code.
    private func parse(_ answer: (status: Int, body: Data)) throws -> JSONValue {
        let json = try? CanonicalJSON.parse([UInt8](answer.body))
        guard (200..<300).contains(answer.status), let json else {
            let detail = json?["detail"]?.stringValue ?? String(decoding: answer.body.prefix(300), as: UTF8.self)
            throw RemoteError(.refused, detail, serverCode: json?["code"]?.stringValue)
        }
        return json
    }
}
