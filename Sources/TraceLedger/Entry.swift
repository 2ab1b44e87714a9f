import CanonicalJSON
import Foundation
public import TraceCrypto

/// One ledger entry: the operator's wrapping of a signed event with its place in the log.
///
/// Its bytes are the RFC 8785 canonical JSON of
/// `{"event", "key", "prev", "recorded", "seq", "sig", "v"}`; the leaf hash of those bytes
/// (RFC 9162) is both its Merkle leaf and the `prev` of the next entry.
public struct Entry: Sendable, Equatable {
    /// The entry format this code writes and reads.
    public static let version = 1

    public let seq: UInt64
    /// When the ledger recorded it (RFC 3339, UTC, milliseconds).
    public let recorded: String
    /// `recorded` in milliseconds since 1970, parsed once (nil when it is not an RFC 3339 time,
    /// which a stored entry's never is).
    public let recordedMs: Int64?
    /// Leaf hash of the entry before; all zeros for the first.
    public let prev: Digest
    public let signed: SignedEvent
    /// The canonical bytes.
    public let bytes: [UInt8]
    /// The event's canonical bytes (a slice of `bytes`: "event" sorts first), which its
    /// signature covers after the context string.
    public let eventBytes: [UInt8]

    /// Builds a new entry and its canonical bytes.
    public init(seq: UInt64, recorded: String, prev: Digest, signed: SignedEvent) throws {
        self.seq = seq
        self.recorded = recorded
        self.recordedMs = Timestamp.parse(recorded)
        self.prev = prev
        self.signed = signed
        self.eventBytes = try CanonicalJSON.encode(signed.event)
        self.bytes = Self.layout(
            eventBytes: eventBytes, key: signed.key.description, prev: prev, recorded: recorded, seq: seq,
            sig: Data(signed.signature).base64EncodedString())
    }

    /// Builds a new entry from an event already encoded (the batch encoded it for its signature).
    init(seq: UInt64, recorded: String, prev: Digest, signed: SignedEvent, eventBytes: [UInt8]) {
        self.seq = seq
        self.recorded = recorded
        self.recordedMs = Timestamp.parse(recorded)
        self.prev = prev
        self.signed = signed
        self.eventBytes = eventBytes
        self.bytes = Self.layout(
            eventBytes: eventBytes, key: signed.key.description, prev: prev, recorded: recorded, seq: seq,
            sig: Data(signed.signature).base64EncodedString())
    }

    /// The canonical bytes of an entry, member by member in RFC 8785 order (event, key, prev,
    /// recorded, seq, sig, v): the same bytes `CanonicalJSON.encode` gives for the object, built
    /// without encoding the event a second time.
    static func layout(eventBytes: [UInt8], key: String, prev: Digest, recorded: String, seq: UInt64, sig: String) -> [UInt8] {
        var out: [UInt8] = Array(#"{"event":"#.utf8)
        out.reserveCapacity(eventBytes.count + 256)
        out += eventBytes
        out += Array(#","key":"#.utf8) + CanonicalJSON.encodeString(key)
        out += Array(#","prev":""#.utf8) + Array(prev.hex.utf8)
        out += Array(#"","recorded":"#.utf8) + CanonicalJSON.encodeString(recorded)
        out += Array(#","seq":"#.utf8) + Array(String(seq).utf8)
        out += Array(#","sig":"#.utf8) + CanonicalJSON.encodeString(sig)
        out += Array(#","v":\#(version)}"#.utf8)
        return out
    }

    /// The bytes the event's signature covers: the context string, then the canonical event.
    public var signedMessage: [UInt8] { SignedEvent.context + eventBytes }

    /// Reads stored bytes, checking every field and that the bytes are canonical; the
    /// signature is not checked here (see `Ledger.verify`).
    /// `canonical: false` skips the spelling checks, for replaying a store that `Ledger.verify`
    /// checks; anything read from outside keeps them.
    public init(bytes: [UInt8], expectedSeq: UInt64? = nil, canonical: Bool = true) throws {
        func bad(_ why: String) -> LedgerError {
            LedgerError(.badEntry, "\(expectedSeq.map { "entry \($0)" } ?? "entry"): \(why)", entry: expectedSeq)
        }
        let value: JSONValue
        // The one canonical spelling only: anything else could hide a second meaning of the same
        // entry. The canonical parser refuses any other spelling as it reads, encoding nothing.
        do { value = try canonical ? CanonicalJSON.parseCanonical(bytes) : CanonicalJSON.parse(bytes) } catch let error
            as CanonicalJSONError
        {
            if error.code == .notCanonical { throw bad("bytes are not in RFC 8785 canonical form (\(error.message))") }
            throw bad("not valid JSON (\(error.message))")
        }
        guard let o = value.objectValue else { throw bad("not a JSON object") }
        guard o.count == 7 else { throw bad("has fields \(o.keys.sorted()), expected event, key, prev, recorded, seq, sig, v") }
        guard o["v"]?.intValue == Self.version else {
            throw bad("entry format \(o["v"].map { "\($0)" } ?? "missing") is not \(Self.version)")
        }
        guard let seqValue = o["seq"]?.intValue, seqValue >= 0 else { throw bad("\"seq\" is not a whole number") }
        guard let recorded = o["recorded"]?.stringValue, let recordedMs = Timestamp.parse(recorded) else {
            throw bad("\"recorded\" is not an RFC 3339 time")
        }
        guard let prevText = o["prev"]?.stringValue, let prev = try? Digest(hex: prevText) else {
            throw bad("\"prev\" is not 64 hex digits")
        }
        guard let event = o["event"] else { throw bad("no \"event\"") }
        do { try EventShape.check(event) } catch let error as LedgerError { throw bad(error.message) }
        guard let keyText = o["key"]?.stringValue, let key = try? VerifierKey.parsing(keyText) else {
            throw bad("\"key\" is not a verifier key")
        }
        guard let sigText = o["sig"]?.stringValue, let sig = Data(base64Encoded: sigText), sig.count == 64,
            sig.base64EncodedString() == sigText
        else {
            throw bad("\"sig\" is not canonical base64 of 64 bytes")
        }
        self.seq = UInt64(seqValue)
        self.recorded = recorded
        self.recordedMs = recordedMs
        self.prev = prev
        self.signed = SignedEvent(event: event, key: key, signature: Array(sig))
        self.bytes = bytes
        // Canonical JSON leaves one spelling open: upper-case hex digits in "prev" (the digits are
        // hex already, so no byte in A to F means lower case).
        if canonical && prevText.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") }) {
            throw bad("bytes are not in RFC 8785 canonical form (\"prev\" is not lower-case hex)")
        }
        let prefix = Self.eventPrefix.count
        // Canonical bytes: the event is the slice between the fixed prefix and the members after it,
        // which start at the last `,"key":` (found without building those members again).
        if canonical, let end = Self.membersAfterEvent(bytes), end >= prefix {
            self.eventBytes = Array(bytes[prefix..<end])
            return
        }
        let frame = Self.layout(
            eventBytes: [], key: keyText, prev: prev, recorded: recorded, seq: UInt64(seqValue), sig: sigText)
        guard bytes.count >= frame.count else { throw bad("bytes are shorter than their own members") }
        self.eventBytes = Array(bytes[prefix..<(bytes.count - (frame.count - prefix))])
    }

    private static let eventPrefix = Array(#"{"event":"#.utf8)
    private static let keyMember = Array(#","key":"#.utf8)

    /// Where the members after "event" begin in canonical entry bytes: the last `,"key":`. The
    /// event may hold that text, but nothing after it can: only strings (where `,"` cannot occur
    /// unescaped) and numbers follow the event, and the key is its one "key" member.
    private static func membersAfterEvent(_ bytes: [UInt8]) -> Int? {
        let n = keyMember.count
        var i = bytes.count - n
        while i >= 0 {
            if bytes[i] == UInt8(ascii: ","), bytes[i..<(i + n)].elementsEqual(keyMember) { return i }
            i -= 1
        }
        return nil
    }

    /// RFC 9162 leaf hash of the bytes.
    public func leafHash(using hasher: SHA256.Hasher = SHA256.Hasher()) -> Digest {
        Merkle.leafHash(bytes, using: hasher)
    }
}
