import CanonicalJSON
import Foundation
import TestSupport
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite

/// A ledger made by the real CLI, a real `trace serve` over it, and the cooperative's key to
/// sign events the way a client does.
struct ServerFixture {
    let h: CLIHarness
    let server: ServerProcess
    let key: PrivateKey

    init(_ arguments: [String] = []) throws {
        h = try CLIHarness()
        server = try ServerProcess(["--ledger", h.ledger] + arguments, directory: h.directory)
        key = try PrivateKey(contentsOfFile: h.directory + "/htx-tan-lap.key")
    }

    /// Over a harness and server already made (a ledger elsewhere, a server with its own options).
    init(h: CLIHarness, server: ServerProcess) throws {
        self.h = h
        self.server = server
        key = try PrivateKey(contentsOfFile: h.directory + "/htx-tan-lap.key")
    }

    /// A harvest event of lot `lot`, signed by the cooperative, in the submission form.
    func harvest(_ lot: String, id: String? = nil, plot: String = "P-001", quantity: String = "1200") throws -> SignedEvent {
        try SignedEvent.sign(
            SupplyChain.event(
                "harvest", actor: "htx-tan-lap", id: id ?? "ev-\(lot.lowercased())",
                [
                    "lot": .string(lot), "product": "Lúa ST25", "quantity": .string(quantity), "unit": "kg",
                    "plot": .string(plot), "harvested": "2026-07-01",
                ]), with: key, keyName: "htx-tan-lap")
    }

    func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPReply {
        try HTTPReply.send("GET", server.url + path, headers: headers)
    }

    func post(_ path: String, _ body: JSONValue) throws -> HTTPReply {
        try HTTPReply.send("POST", server.url + path, body: try CanonicalJSON.encode(body))
    }

    func post(_ path: String, bytes: [UInt8]) throws -> HTTPReply {
        try HTTPReply.send("POST", server.url + path, body: bytes)
    }

    /// The ledger's size, read from the file, not from the server.
    func ledgerSize() throws -> UInt64 { try Ledger(path: h.ledger).size() }

    /// True when a proof-v1 document proves its entry against a checkpoint the operator signed.
    func proves(_ proof: JSONValue) throws -> Bool {
        guard let note = proof["checkpoint"]?.stringValue,
            let bytes = proof["entryBytes"]?.stringValue.flatMap({ Data(base64Encoded: $0) }),
            let index = proof["entry"]?.intValue, let size = proof["treeSize"]?.intValue, let hashes = proof["proof"]?.arrayValue
        else { return false }
        let checkpoint = try Checkpoint.open(note, operatorKey: VerifierKey(h.operatorVKey))
        let entry = try Entry(bytes: [UInt8](bytes), expectedSeq: UInt64(index))
        guard checkpoint.size == UInt64(size), entry.signed.hasValidSignature(),
            proof["leafHash"]?.stringValue == entry.leafHash().hex
        else { return false }
        let path = try hashes.map { try Digest(hex: $0.stringValue ?? "") }
        return InclusionProof(index: UInt64(index), treeSize: UInt64(size), leafHash: entry.leafHash(), hashes: path)
            .verify(root: checkpoint.root)
    }
}
