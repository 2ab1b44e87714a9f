import Foundation
public import TraceCrypto

/// A C2SP signed note: UTF-8 text ending in a newline, a blank line, then one line per
/// signature, `— <key name> <base64(4-byte key hash || Ed25519 signature)>`.
public struct SignedNote: Sendable, Equatable {
    /// One signature line.
    public struct Signature: Sendable, Equatable {
        public let name: String
        public let keyHash: [UInt8]
        public let signature: [UInt8]
    }

    public let text: String
    public let signatures: [Signature]

    /// Signs `text` with `key`, published as `verifierKey`.
    public static func sign(text: String, key: PrivateKey, as verifierKey: VerifierKey) throws -> SignedNote {
        try checkText(text)
        guard key.publicKey == verifierKey.publicKey else {
            throw LedgerError(.badNote, "the private key does not match verifier key \(verifierKey.name)")
        }
        let signature = try key.sign(Array(text.utf8))
        return SignedNote(
            text: text, signatures: [Signature(name: verifierKey.name, keyHash: verifierKey.keyHash, signature: signature)])
    }

    /// The note as it is published.
    public var encoded: String {
        text + "\n"
            + signatures.map {
                "\u{2014} \($0.name) \(Data($0.keyHash + $0.signature).base64EncodedString())\n"
            }.joined()
    }

    /// Parses a note without checking signatures.
    public init(parsing note: String) throws {
        let bytes = Array(note.utf8)
        guard bytes.last == 0x0a else { throw LedgerError(.badNote, "a signed note must end with a newline") }
        var split: Int?
        var i = bytes.count - 2
        while i >= 0 {
            if bytes[i] == 0x0a && bytes[i + 1] == 0x0a {
                split = i
                break
            }
            i -= 1
        }
        guard let split else { throw LedgerError(.badNote, "a signed note needs a blank line before its signatures") }
        let text = String(decoding: bytes[...split], as: UTF8.self)
        try Self.checkText(text)
        var signatures: [Signature] = []
        for line in String(decoding: bytes[(split + 2)...], as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).dropLast() {
            guard line.hasPrefix("\u{2014} ") else {
                throw LedgerError(.badNote, "signature line \"\(line.prefix(80))\" does not start with an em dash and a space")
            }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, let blob = Data(base64Encoded: String(fields[1])), blob.count > 4 else {
                throw LedgerError(.badNote, "signature line \"\(line.prefix(80))\" is not \"— name base64\"")
            }
            signatures.append(
                Signature(name: String(fields[0]), keyHash: Array(blob.prefix(4)), signature: Array(blob.dropFirst(4))))
        }
        guard !signatures.isEmpty else { throw LedgerError(.badNote, "the note has no signature lines") }
        self.text = text
        self.signatures = signatures
    }

    private init(text: String, signatures: [Signature]) {
        self.text = text
        self.signatures = signatures
    }

    /// Returns the text if a signature by `key` verifies; throws naming what is wrong.
    public func open(with key: VerifierKey) throws -> String {
        guard let line = signatures.first(where: { $0.name == key.name && $0.keyHash == key.keyHash }) else {
            let names = signatures.map { "\($0.name) (\(Hex.encode($0.keyHash)))" }.joined(separator: ", ")
            throw LedgerError(
                .badNote, "the note is not signed by \(key.name) (\(Hex.encode(key.keyHash))); it is signed by \(names)")
        }
        guard line.signature.count == 64, key.publicKey.isValidSignature(line.signature, for: Array(text.utf8)) else {
            throw LedgerError(
                .badNote, "the signature by \(key.name) does not verify: the note was changed or signed by another key")
        }
        return text
    }

    /// Note text is UTF-8 ending in one newline, with no other control characters.
    static func checkText(_ text: String) throws {
        guard text.hasSuffix("\n") else { throw LedgerError(.badNote, "note text must end with a newline") }
        for scalar in text.unicodeScalars where scalar != "\n" && (scalar.value < 0x20 || scalar.value == 0x7f) {
            throw LedgerError(.badNote, "note text contains control character U+\(String(scalar.value, radix: 16))")
        }
    }
}
