import CanonicalJSON
import Foundation
import HTTPTypes
package import Hummingbird
import TraceCrypto
import TraceDomain
import TraceLedger

/// The read API: the checkpoint, proofs, entries, lots, lineages and parties, shaped by the same
/// library functions as the CLI's `--json` output. Nothing here shows a person's clear data.
package struct ReadRoutes: Sendable {
    let host: LedgerHost

    /// The most entries one page returns.
    static let maxPage = 1000

    func add(to router: Router<ServerContext>) {
        router.get("/v1/checkpoint") { request, _ in try checkpoint(request) }
        router.get("/v1/proofs/inclusion") { request, _ in try inclusion(request) }
        router.get("/v1/proofs/consistency") { request, _ in try consistency(request) }
        router.get("/v1/entries") { request, _ in try entries(request) }
        router.get("/v1/lots/:code") { request, context in
            try lot(request, try context.parameters.require("code")) { try $0.lotJSON() }
        }
        router.get("/v1/lots/:code/lineage") { request, context in
            try lot(request, try context.parameters.require("code")) { $0.treeJSON() }
        }
        // Everything a remote `trace verify-lot` checks, from a server it need not trust.
        router.get("/v1/lots/:code/story") { request, context in
            let code = try context.parameters.require("code")
            let story = try host.read { chain in try LotVerifier(chain: chain).story(lot: code) }
            let body: JSONValue = [
                "lot": .string(code.uppercased()), "checkpoint": .string(host.published(story.note)),
                "entries": .array(
                    story.entries.map {
                        [
                            "seq": .number(Double($0.seq)),
                            "entryBytes": $0.bytes.map { .string(Data($0).base64EncodedString()) } ?? .null,
                            "proof": .array($0.path.map { .string($0.hex) }),
                        ]
                    }),
            ]
            return try Answer.json(body, caching: .revalidate, request: request)
        }
        // A client holds only its private key: this tells it the party and key name to sign as.
        router.get("/v1/signers/:publicKey") { request, context in
            let hex = try context.parameters.require("publicKey")
            guard let bytes = Hex.decode(hex), let key = try? PublicKey(bytes: bytes) else {
                throw Problem(.badRequest, "request.bad_key", "\(hex.prefix(80)) is not the hex of a 32-byte Ed25519 public key")
            }
            let body = try host.read { chain -> JSONValue in
                // A key no party holds names nothing here: 404, with the rules' code and message.
                do {
                    let (party, vkey) = try chain.signer(for: key)
                    return ["party": .string(party.id), "vkey": .string(vkey.description)]
                } catch let error as DomainError where error.code == .keyNotValid {
                    throw Problem(.notFound, error.code.rawValue, error.message)
                }
            }
            return try Answer.json(body, caching: .revalidate, request: request)
        }
        router.get("/v1/parties/:id") { request, context in
            let id = try context.parameters.require("id")
            let body = try host.read { chain -> JSONValue in
                guard let party = chain.state.parties[id] else {
                    throw Problem(.notFound, DomainError.Code.unknownParty.rawValue, "there is no party \(id)")
                }
                return party.json
            }
            return try Answer.json(body, caching: .revalidate, request: request)
        }
    }

    /// A lot's JSON, made once and then served from memory until an append touches its lots.
    private func lot(_ request: Request, _ code: String, _ shape: @escaping (Lineage) throws -> JSONValue) throws -> Response {
        let sizes = try host.committedSizes()
        let answer = try host.cached(request.uri.path, committed: sizes.entries, checkpoint: sizes.checkpoint) { chain in
            let lineage = try host.lineage(code, in: chain)
            return try Self.lotAnswer(try shape(lineage), lots: LedgerHost.lots(lineage), madeAt: chain.state.size)
        }
        return Answer.bytes(answer.bytes, type: "application/json", caching: .revalidate, request: request, tag: answer.tag)
    }

    /// A lot answer to cache. One with a verdict speaks for the checkpoint its recall status was
    /// read at. Where that verdict holds (verified or recalled) and its checkpoint covered the
    /// whole ledger when it was made, a newer checkpoint changes that size alone, as long as no
    /// entry since touches the answer's lots (the cache drops it when one does): it is rebased
    /// by rewriting the size, not made again by verifying the story. While batches land and
    /// each is signed, every lot's answer would otherwise be made again after every batch.
    static func lotAnswer(_ value: JSONValue, lots: Set<String>, madeAt: UInt64) throws -> LedgerHost.Cached {
        let bytes = try CanonicalJSON.encode(value)
        guard let object = value.objectValue, let verdict = object["verdict"]?.objectValue,
            let at = verdict["recallStatusAtSize"]?.intValue.map(UInt64.init)
        else { return LedgerHost.Cached(bytes: bytes, found: true, lots: lots) }
        let holds = [Verdict.State.verified.rawValue, Verdict.State.recalled.rawValue].contains(verdict["verdict"]?.stringValue)
        guard holds, verdict["failure"] == nil, at == madeAt else {
            return LedgerHost.Cached(bytes: bytes, found: true, lots: lots, checkpoint: at)
        }
        // The rebase reads the answer back from its bytes rather than keeping its JSON tree: up to
        // 20,000 answers are cached, and each tree would cost several times its bytes.
        return LedgerHost.Cached(bytes: bytes, found: true, lots: lots, checkpoint: at) { size in
            guard var object = try CanonicalJSON.parse(bytes).objectValue, var verdict = object["verdict"]?.objectValue
            else { throw Problem.internalError }
            verdict["recallStatusAtSize"] = .number(Double(size))
            object["verdict"] = .object(verdict)
            return try lotAnswer(.object(object), lots: lots, madeAt: size)
        }
    }

    private func checkpoint(_ request: Request) throws -> Response {
        let note = host.published(try host.read { chain in try Self.signed(chain.ledger, size: nil).note })
        return Answer.bytes(Array(note.utf8), type: "text/plain; charset=utf-8", caching: .revalidate, request: request)
    }

    private func inclusion(_ request: Request) throws -> Response {
        let entry = try Self.number(request, "entry")
        let size = try Self.optionalNumber(request, "size")
        let body = try host.read { chain in
            let (checkpoint, note) = try Self.signed(chain.ledger, size: size)
            return try chain.ledger.provenEntry(entry, checkpoint: checkpoint, note: note)
        }
        return try Answer.json(body, caching: size == nil ? .revalidate : .immutable, request: request)
    }

    private func consistency(_ request: Request) throws -> Response {
        let from = try Self.number(request, "from")
        let to = try Self.optionalNumber(request, "to")
        let body = try host.read { chain in
            let (checkpoint, note) = try Self.signed(chain.ledger, size: to)
            return try chain.ledger.provenConsistency(from: from, checkpoint: checkpoint, note: note)
        }
        return try Answer.json(body, caching: to == nil ? .revalidate : .immutable, request: request)
    }

    private func entries(_ request: Request) throws -> Response {
        let start = try Self.optionalNumber(request, "start") ?? 0
        let limit = try Self.optionalNumber(request, "limit") ?? 100
        guard (1...UInt64(Self.maxPage)).contains(limit) else {
            throw Problem(.badRequest, "request.bad_query", "limit: \(limit) is not between 1 and \(Self.maxPage)")
        }
        let (size, rows) = try host.read { chain in
            try chain.ledger.store.read { reader in (try reader.size(), try reader.entries(from: start, limit: Int(limit))) }
        }
        // Past the end names no entry; refusing it also keeps every number echoed exact in JSON.
        guard start <= size else {
            throw Problem(.notFound, "request.out_of_range", "start: \(start) is beyond the ledger's \(size) entries")
        }
        let list: [JSONValue] = try rows.map { row in
            [
                "seq": .number(Double(row.seq)), "entryBytes": .string(Data(row.bytes).base64EncodedString()),
                "entry": try CanonicalJSON.parse(row.bytes),
            ]
        }
        let next = start + UInt64(rows.count)
        let body: JSONValue = [
            "start": .number(Double(start)), "size": .number(Double(size)), "entries": .array(list),
            "next": next < size ? .number(Double(next)) : .null,
        ]
        // A full page can never change: entries are never rewritten.
        return try Answer.json(body, caching: rows.count == Int(limit) ? .immutable : .revalidate, request: request)
    }

    /// The stored signed checkpoint of `size` (the latest when nil), or a problem naming what is missing.
    static func signed(_ ledger: Ledger, size: UInt64?) throws -> (checkpoint: Checkpoint, note: String) {
        guard let found = try ledger.storedCheckpoint(size: size) else {
            throw Problem(
                .notFound, "proof.no_checkpoint",
                size.map { "there is no signed checkpoint of size \($0); ask for a size /v1/checkpoint has shown" }
                    ?? "the ledger has no signed checkpoint yet; the operator must run `trace checkpoint`")
        }
        return found
    }

    package static func optionalNumber(_ request: Request, _ name: String) throws -> UInt64? {
        let values = request.uri.queryParameters[values: Substring(name)]
        guard let text = values.first else { return nil }
        // One value, plain digits only (Swift's own parser takes "+5"), and a SQLite integer:
        // anything above Int64.max names nothing.
        guard values.count == 1 else {
            throw Problem(.badRequest, "request.bad_query", "\(name) is given \(values.count) times; give it once")
        }
        guard !text.isEmpty, text.count <= 19, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = UInt64(text),
            value <= UInt64(Int64.max)
        else {
            throw Problem(
                .badRequest, "request.bad_query",
                "\(name): \"\(text.prefix(40))\" is not a whole number of entries (digits only, at most 9223372036854775807)")
        }
        return value
    }

    static func number(_ request: Request, _ name: String) throws -> UInt64 {
        guard let value = try optionalNumber(request, name) else {
            throw Problem(.badRequest, "request.bad_query", "\(name) is missing: add ?\(name)=N")
        }
        return value
    }
}
