public import CanonicalJSON
import Foundation
public import TraceCrypto
import TraceLedger

/// An origin certificate: one self-contained file with everything a buyer needs to check, with no
/// network, that an export lot came from the farms it names (docs/FORMAT.md section 12).
///
/// It carries the entries of the lot's story (its lineage back to every harvest, and the
/// registrations of every party, key and plot they rely on), each with its inclusion proof
/// against one signed checkpoint; the personal values the buyer needs, with their salts; and
/// the exporter's signature over the whole.
public struct OriginCertificate: Sendable, Equatable {
    /// The format's name and version, the value of "type".
    public static let type = "trace.certificate.v1"
    /// Domain separation for the exporter's signature: never valid as an event or a note signature.
    public static let signatureContext: [UInt8] = Array("trace.certificate.v1".utf8) + [0x00]

    /// The export lot the certificate is about.
    public var lot: String
    /// The party id of the exporter who issued it.
    public var exporter: String
    /// The operator's signed checkpoint (a C2SP signed note) every proof is checked against.
    public var checkpoint: String
    /// The story's entries in ledger order, each with its proof.
    public var entries: [ProvedEntry]
    /// Every key that signed an entry here or the certificate, and the entry that registered it.
    public var signers: [Signer]
    /// Personal values disclosed with their salts; empty when redacted.
    public var disclosures: [Disclosure]
    /// True when no personal values are disclosed (the default; `--disclose-names` discloses names).
    public var redacted: Bool
    /// The UTC day the exporter signed it (`YYYY-MM-DD`); nil in a draft and in older files.
    public var issued: String?
    /// The exporter's signature over everything else.
    public var signature: ExporterSignature?

    /// One ledger entry's exact bytes and its RFC 9162 inclusion proof.
    public struct ProvedEntry: Sendable, Equatable {
        public var index: UInt64
        public var bytes: [UInt8]
        public var proof: [Digest]

        public init(index: UInt64, bytes: [UInt8], proof: [Digest]) {
            self.index = index
            self.bytes = bytes
            self.proof = proof
        }
    }

    /// A key that signed, and the entry that made it the party's key.
    public struct Signer: Sendable, Equatable {
        public var party: String
        public var key: String
        public var registeredBy: UInt64

        public init(party: String, key: String, registeredBy: UInt64) {
            self.party = party
            self.key = key
            self.registeredBy = registeredBy
        }
    }

    /// A personal value behind a commitment in a party's registration.
    public struct Disclosure: Sendable, Equatable {
        public var party: String
        public var field: String
        public var value: String
        public var salt: [UInt8]

        public init(party: String, field: String, value: String, salt: [UInt8]) {
            self.party = party
            self.field = field
            self.value = value
            self.salt = salt
        }
    }

    /// The exporter's Ed25519 signature, made with the key named.
    public struct ExporterSignature: Sendable, Equatable {
        public var key: String
        public var value: [UInt8]

        public init(key: String, value: [UInt8]) {
            self.key = key
            self.value = value
        }
    }

    public init(
        lot: String, exporter: String, checkpoint: String, entries: [ProvedEntry], signers: [Signer],
        disclosures: [Disclosure], redacted: Bool
    ) {
        self.lot = lot
        self.exporter = exporter
        self.checkpoint = checkpoint
        self.entries = entries
        self.signers = signers
        self.disclosures = disclosures
        self.redacted = redacted
    }

    /// Everything but the signature, as JSON.
    public var unsignedJSON: JSONValue {
        var o: [String: JSONValue] = [
            "type": .string(Self.type),
            "lot": .string(lot),
            "exporter": .string(exporter),
            "checkpoint": .string(checkpoint),
            "entries": .array(
                entries.map {
                    [
                        "index": .number(Double($0.index)), "entry": .string(Data($0.bytes).base64EncodedString()),
                        "proof": .array($0.proof.map { .string($0.hex) }),
                    ]
                }),
            "signers": .array(
                signers.map {
                    ["party": .string($0.party), "key": .string($0.key), "registeredBy": .number(Double($0.registeredBy))]
                }),
            "disclosures": .array(
                disclosures.map {
                    [
                        "party": .string($0.party), "field": .string($0.field), "value": .string($0.value),
                        "salt": .string(Data($0.salt).base64EncodedString()),
                    ]
                }),
            "redacted": .bool(redacted),
        ]
        if let issued { o["issued"] = .string(issued) }
        return .object(o)
    }

    /// The whole certificate as JSON.
    public var json: JSONValue {
        guard case .object(var o) = unsignedJSON else { return unsignedJSON }
        if let signature {
            o["signature"] = ["key": .string(signature.key), "value": .string(Data(signature.value).base64EncodedString())]
        }
        return .object(o)
    }

    /// The bytes the exporter signs: the context, then the canonical JSON of everything but the signature.
    public var signedMessage: [UInt8] {
        get throws { Self.signatureContext + (try CanonicalJSON.encode(unsignedJSON)) }
    }

    /// The file's bytes: canonical JSON, so the same lot and checkpoint always give the same file.
    public func encoded() throws -> [UInt8] { try CanonicalJSON.encode(json) + [0x0a] }

    /// True for a `YYYY-MM-DD` day that exists.
    static func isDay(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return false }
        return Timestamp.parse(text + "T00:00:00Z") != nil
    }

    /// Reads a certificate file, refusing anything malformed with the field that is wrong.
    public init(bytes: [UInt8]) throws(CertificateError) {
        let value: JSONValue
        do { value = try CanonicalJSON.parse(bytes) } catch {
            throw CertificateError(.malformed, "the file is not JSON: \(error)")
        }
        let reader = FieldReader(value)
        // Unknown members are refused, not ignored: the exporter signs exactly the members below,
        // so anything else in the file would be unsigned text a reader might trust.
        try reader.only([
            "type", "lot", "exporter", "checkpoint", "entries", "signers", "disclosures", "redacted", "issued", "signature",
        ])
        guard try reader.string("type") == Self.type else {
            throw CertificateError(.malformed, "type: this is not a \(Self.type) certificate")
        }
        lot = try reader.string("lot")
        exporter = try reader.string("exporter")
        checkpoint = try reader.string("checkpoint")
        entries = try reader.array("entries").enumerated().map { i, item throws(CertificateError) in
            let r = FieldReader(item, path: "entries[\(i)]")
            try r.only(["index", "entry", "proof"])
            return ProvedEntry(
                index: try r.uint("index"), bytes: try r.base64("entry"),
                proof: try r.array("proof").map { h throws(CertificateError) in
                    try FieldReader.digest(h, field: "entries[\(i)].proof")
                })
        }
        signers = try reader.array("signers").enumerated().map { i, item throws(CertificateError) in
            let r = FieldReader(item, path: "signers[\(i)]")
            try r.only(["party", "key", "registeredBy"])
            return Signer(party: try r.string("party"), key: try r.string("key"), registeredBy: try r.uint("registeredBy"))
        }
        disclosures = try reader.array("disclosures").enumerated().map { i, item throws(CertificateError) in
            let r = FieldReader(item, path: "disclosures[\(i)]")
            try r.only(["party", "field", "value", "salt"])
            return Disclosure(
                party: try r.string("party"), field: try r.string("field"), value: try r.string("value"),
                salt: try r.base64("salt"))
        }
        guard let redacted = value["redacted"]?.boolValue else {
            throw CertificateError(.malformed, "redacted: must be true or false")
        }
        self.redacted = redacted
        if let day = value["issued"] {
            guard let text = day.stringValue, Self.isDay(text) else {
                throw CertificateError(.malformed, "issued: must be a date YYYY-MM-DD")
            }
            issued = text
        }
        if let sig = value["signature"] {
            let r = FieldReader(sig, path: "signature")
            try r.only(["key", "value"])
            signature = ExporterSignature(key: try r.string("key"), value: try r.base64("value"))
        }
    }
}

/// Reads typed fields from a JSON object, naming the field when one is missing or malformed.
struct FieldReader {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String = "") {
        self.value = value
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Refuses members other than `keys` (and anything that is not an object).
    func only(_ keys: Set<String>) throws(CertificateError) {
        guard let object = value.objectValue else {
            throw CertificateError(.malformed, "\(path.isEmpty ? "the file" : path): must be a JSON object")
        }
        if let extra = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw CertificateError(
                .malformed, "\(name(extra)): unknown member; a \(OriginCertificate.type) certificate has no such field")
        }
    }

    func string(_ key: String) throws(CertificateError) -> String {
        guard let s = value[key]?.stringValue else { throw CertificateError(.malformed, "\(name(key)): a string is required") }
        return s
    }

    func uint(_ key: String) throws(CertificateError) -> UInt64 {
        guard let n = value[key]?.intValue, n >= 0 else {
            throw CertificateError(.malformed, "\(name(key)): a non-negative integer is required")
        }
        return UInt64(n)
    }

    func array(_ key: String) throws(CertificateError) -> [JSONValue] {
        guard let a = value[key]?.arrayValue else { throw CertificateError(.malformed, "\(name(key)): an array is required") }
        return a
    }

    func base64(_ key: String) throws(CertificateError) -> [UInt8] {
        let text = try string(key)
        // Canonical base64 only, so one certificate has exactly one encoding.
        guard let data = Data(base64Encoded: text), data.base64EncodedString() == text else {
            throw CertificateError(.malformed, "\(name(key)): not canonical base64")
        }
        return [UInt8](data)
    }

    static func digest(_ value: JSONValue, field: String) throws(CertificateError) -> Digest {
        guard let text = value.stringValue, text == text.lowercased(), let digest = try? Digest(hex: text) else {
            throw CertificateError(.malformed, "\(field): each hash is 64 lower-case hex digits")
        }
        return digest
    }
}
