/// A SHA-256 digest: 32 bytes.
public struct Digest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 bytes; throws for any other length.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else {
            throw CryptoError(.badLength, "a SHA-256 digest is 32 bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Equal bytes, compared eight at a time (verify compares two digests an entry).
    public static func == (a: Digest, b: Digest) -> Bool {
        guard a.bytes.count == 32, b.bytes.count == 32 else { return a.bytes == b.bytes }
        return a.bytes.withUnsafeBytes { x in
            b.bytes.withUnsafeBytes { y in
                (0..<4).allSatisfy { word in
                    x.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)
                        == y.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)
                }
            }
        }
    }

    /// The all-zero digest, used as `prev` of the first entry.
    public static let zero = Digest(unchecked: [UInt8](repeating: 0, count: 32))

    /// Parses 64 hex digits (either case).
    public init(hex: String) throws {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else {
            throw CryptoError(.badLength, "expected 64 hex digits for a SHA-256 digest, got \"\(hex.prefix(80))\"")
        }
        self.bytes = bytes
    }

    /// Lower-case hex.
    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
}

/// Lower-case hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Encodes bytes as lower-case hex.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex of either case; nil for odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = value(utf8[i]), let lo = value(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
