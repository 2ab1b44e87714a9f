import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// A ledger behind `trace serve`, for commands given `--server URL`: the client signs, the server
/// receives signed events; private keys never leave this machine.
struct RemoteLedger {
    let base: String

    init(_ url: String) {
        base = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// The answer to `GET path` as JSON; a refusal exits 2 with the server's problem detail.
    func json(_ path: String, headers: [String: String] = [:]) throws -> JSONValue {
        try parse(try RemoteFetch.send("GET", base + path, headers: headers, field: "--server"))
    }

    /// `PUT path` with a JSON body; the answer's JSON.
    func put(_ path: String, body: [UInt8]) throws -> JSONValue {
        try parse(try RemoteFetch.send("PUT", base + path, body: Data(body), field: "--server"))
    }

    /// The answer to `GET path` as text.
    func text(_ path: String) throws -> String { try RemoteFetch.text(base + path, field: "--server") }

    /// The party whose current key `key` is, and the key name to sign under.
    func signer(for key: PrivateKey) throws -> (party: String, keyName: String) {
        let answer = try json("/v1/signers/" + Hex.encode(key.publicKey.bytes))
        guard let party = answer["party"]?.stringValue, let vkey = answer["vkey"]?.stringValue.flatMap({ try? VerifierKey($0) })
        else {
            throw CLIFailure.input("error: --server: the server's answer about this key is not readable")
        }
        return (party, vkey.name)
    }

    /// Sends signed events (one, or a batch) and returns each one's entry as the server recorded it.
    func submit(_ events: [SignedEvent]) throws -> [AppendResult] {
        let single = events.count == 1
        let body: JSONValue = single ? events[0].json : ["events": .array(events.map(\.json))]
        let answer = try parse(
            try RemoteFetch.send(
                "POST", base + (single ? "/v1/events" : "/v1/events:batch"), body: Data(try CanonicalJSON.encode(body)),
                field: "--server"))
        let items =
            single
            ? [
                answer.objectValue.map { o -> JSONValue in
                    var o = o
                    o["entryBytes"] = answer["inclusion"]?["entryBytes"]
                    return .object(o)
                } ?? answer
            ] : (answer["entries"]?.arrayValue ?? [])
        return try items.map { item in
            guard let seq = item["entry"]?.intValue, let leaf = item["leafHash"]?.stringValue else {
                throw CLIFailure.input("error: --server: the server's answer is not readable")
            }
            // Without a proof in the answer (the server holds no operator key), fetch the entry.
            let bytes =
                try item["entryBytes"]?.stringValue.flatMap { Data(base64Encoded: $0) }
                ?? Data(
                    base64Encoded: json("/v1/entries?start=\(seq)&limit=1")["entries"]?.arrayValue?.first?["entryBytes"]?
                        .stringValue ?? "")
                ?? Data()
            let entry = try Entry(bytes: [UInt8](bytes), expectedSeq: UInt64(seq))
            guard entry.leafHash().hex == leaf else {
                throw CLIFailure.verification("error: --server: entry \(seq) the server sent does not match its leaf hash")
            }
            return AppendResult(entry: entry, leafHash: entry.leafHash(), duplicate: item["duplicate"]?.boolValue ?? false)
        }
    }

    /// The checkpoint a server's signed note carries. Its signature is checked by whoever holds
    /// the operator key (`trace verify-lot --operator`, `trace certificate verify`).
    static func checkpoint(_ note: String) throws -> Checkpoint {
        do { return try Checkpoint(text: SignedNote(parsing: note).text) } catch let error as LedgerError {
            throw CLIFailure.input("error: --server: the server's checkpoint is not readable: \(error.message)")
        }
    }

    /// A lot's story as `GET /v1/lots/{code}/story` sends it.
    static func story(_ answer: JSONValue) throws -> LotStory {
        guard let note = answer["checkpoint"]?.stringValue, let items = answer["entries"]?.arrayValue else {
            throw CLIFailure.input("error: --server: the lot's story the server sent is not readable")
        }
        return LotStory(
            note: note,
            entries: try items.map { item in
                guard let seq = item["seq"]?.intValue, seq >= 0 else {
                    throw CLIFailure.input("error: --server: the lot's story the server sent is not readable")
                }
                return LotStory.Item(
                    seq: UInt64(seq),
                    bytes: item["entryBytes"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) },
                    path: try (item["proof"]?.arrayValue ?? []).map { try Digest(hex: $0.stringValue ?? "") })
            })
    }

    /// The operator key the server's genesis entry names: trust on first use, for a buyer who
    /// was not given the key (`--operator` is better).
    func operatorKey() throws -> VerifierKey {
        let page = try json("/v1/entries?start=0&limit=1")
        guard let text = page["entries"]?.arrayValue?.first?["entry"]?["event"]?["operator"]?.stringValue,
            let key = try? VerifierKey(text)
        else { throw CLIFailure.input("error: --server: the server's genesis entry names no operator key") }
        return key
    }

    /// `text` as one path segment (a lot code is letters, digits and '-'; anything else is escaped).
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_", "."])) ?? ""
    }

    /// The JSON of a 2xx answer; a problem answer becomes the CLI's one-line refusal.
    private func parse(_ answer: (status: Int, body: Data)) throws -> JSONValue {
        let json = try? CanonicalJSON.parse([UInt8](answer.body))
        guard (200..<300).contains(answer.status), let json else {
            let detail = json?["detail"]?.stringValue ?? String(decoding: answer.body.prefix(300), as: UTF8.self)
            let code = json?["code"]?.stringValue.map { " [\($0)]" } ?? ""
            throw CLIFailure.input("refused: \(detail)\(code)")
        }
        return json
    }
}
