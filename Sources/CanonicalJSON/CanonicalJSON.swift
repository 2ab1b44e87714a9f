import Foundation

/// RFC 8785 JSON Canonicalization Scheme, with every string (keys and values) NFC-normalized
/// first, so a Vietnamese name typed composed or decomposed gives the same bytes.
public enum CanonicalJSON {
    /// The deepest nesting accepted from outside; far beyond any event, far below the stack.
    public static let defaultMaxDepth = 64

    /// Parses JSON text strictly (see `JSONParser`).
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    /// Parses JSON text that must already be canonical, refusing anything else as it reads
    /// (`json.not_canonical` for valid JSON spelled another way): the same answer as
    /// `encode(parse(bytes)) == bytes`, without encoding.
    public static func parseCanonical(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth, canonical: true)
        return try parser.parseDocument()
    }

    /// Parses JSON text given as a string.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// The canonical bytes of a JSON text.
    public static func canonicalize(_ bytes: [UInt8]) throws -> [UInt8] {
        try encode(parse(bytes))
    }

    /// The canonical bytes of a value; throws for a non-finite number.
    public static func encode(_ value: JSONValue) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        try write(value, into: &out)
        return out
    }

    /// The canonical text of a value.
    public static func string(_ value: JSONValue) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    /// The canonical bytes of one string value: NFC, quoted, escaped as RFC 8785 says.
    public static func encodeString(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        writeString(nfc(s), into: &out)
        return out
    }

    /// The NFC form of a string; ASCII is already NFC and skips the Unicode tables.
    public static func nfc(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s }
        return s.precomposedStringWithCanonicalMapping
    }

    static func write(_ value: JSONValue, into out: inout [UInt8]) throws {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let d): out.append(contentsOf: try NumberFormat.ecmaScript(d).utf8)
        case .string(let s): writeString(nfc(s), into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            // Keys are compared as UTF-16 code units of their NFC form (RFC 8785 section 3.2.3).
            let sorted = members.map { (key: nfc($0.key), value: $0.value) }
                .map { (utf16: Array($0.key.utf16), key: $0.key, value: $0.value) }
                .sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            out.append(UInt8(ascii: "{"))
            for (i, member) in sorted.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                try write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// RFC 8785 section 3.2.2.2: only '"', '\\' and C0 controls are escaped; \b \t \n \f \r use
    /// their short forms, other controls \u00xx in lower case; everything else is literal UTF-8.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0a: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0c: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0d: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
