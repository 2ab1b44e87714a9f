import Foundation
public import TraceCrypto

/// The body of a C2SP tlog-witness `add-checkpoint` request: `old N`, up to 63 base64
/// consistency proof hashes, a blank line, then the signed checkpoint note.
public struct AddCheckpointRequest: Sendable, Equatable {
    /// The size of the checkpoint the client believes the witness last cosigned.
    public let oldSize: UInt64
    /// The consistency proof from `oldSize` to the new checkpoint.
    public let proof: [Digest]
    /// The signed checkpoint note, as sent.
    public let note: String

    public init(oldSize: UInt64, proof: [Digest], note: String) {
        self.oldSize = oldSize
        self.proof = proof
        self.note = note
    }

    /// The request body.
    public var body: String {
        "old \(oldSize)\n" + proof.map { Data($0.bytes).base64EncodedString() + "\n" }.joined() + "\n" + note
    }

    /// Parses a request body; throws `ledger.bad_proof` naming the line that is wrong.
    public init(parsing body: String) throws {
        var rest = Substring(body)
        func line() throws -> Substring {
            guard let end = rest.firstIndex(of: "\n") else {
                throw LedgerError(.badProof, "add-checkpoint: the body ends before the blank line that precedes the checkpoint")
            }
            defer { rest = rest[rest.index(after: end)...] }
            return rest[..<end]
        }
        let first = try line()
        guard first.hasPrefix("old "), let size = UInt64(first.dropFirst(4)), String(size) == first.dropFirst(4) else {
            throw LedgerError(.badProof, "add-checkpoint: the first line \"\(first.prefix(60))\" is not \"old SIZE\"")
        }
        var proof: [Digest] = []
        while true {
            let next = try line()
            if next.isEmpty { break }
            guard proof.count < 63 else { throw LedgerError(.badProof, "add-checkpoint: more than 63 consistency proof lines") }
            guard let bytes = Data(base64Encoded: String(next)), bytes.count == 32 else {
                throw LedgerError(.badProof, "add-checkpoint: proof line \"\(next.prefix(60))\" is not base64 of 32 bytes")
            }
            proof.append(try Digest(bytes: Array(bytes)))
        }
        self.init(oldSize: size, proof: proof, note: String(rest))
    }
}
