/// A strict JSON (RFC 8259) parser over UTF-8 bytes.
///
/// Written by hand because JCS needs what Foundation's parsers do not give: duplicate keys and
/// lone surrogate escapes must be refused rather than silently merged or replaced, invalid
/// UTF-8 must be refused, and nesting depth must be bounded so hostile input cannot exhaust
/// the stack. Keys that are canonically equivalent (NFC) count as duplicates.
///
/// With `canonical`, it also refuses, as it reads, any text that is not already the canonical
/// bytes of its value (FORMAT.md section 2): white space, members out of UTF-16 key order,
/// escapes other than JCS's, strings not in NFC, numbers not spelled as ECMAScript writes them.
/// It accepts exactly the texts `CanonicalJSON.encode(parse(text)) == text` accepts, without
/// encoding anything.
struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private let maxDepth: Int
    private let canonical: Bool

    init(bytes: [UInt8], maxDepth: Int, canonical: Bool = false) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.canonical = canonical
    }

    mutating func parseDocument() throws -> JSONValue {
        try skipWhitespace()
        let value = try parseValue(depth: 0)
        try skipWhitespace()
        guard index == bytes.count else { throw error(.syntax, "unexpected text after the JSON value") }
        return value
    }

    private func error(_ code: CanonicalJSONError.Code, _ message: String) -> CanonicalJSONError {
        CanonicalJSONError(code, message, offset: index)
    }

    private func notCanonical(_ why: String, at offset: Int? = nil) -> CanonicalJSONError {
        CanonicalJSONError(.notCanonical, why, offset: offset ?? index)
    }

    private mutating func skipWhitespace() throws {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0a, 0x0d:
                if canonical { throw notCanonical("white space between tokens") }
                index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        guard index < bytes.count else { throw error(.syntax, "unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error(.syntax, "unexpected character '\(Unicode.Scalar(bytes[index]).escaped(asASCII: true))'")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count,
            word.withUTF8Buffer({ Array($0) }) == Array(bytes[index..<index + n])
        else { throw error(.syntax, "expected \(word)") }
        index += n
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        guard depth <= maxDepth else { throw error(.tooDeep, "nesting deeper than \(maxDepth) levels") }
        index += 1
        var members: [String: JSONValue] = [:]
        var previousKey: String?
        try skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            try skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error(.syntax, "expected a string key")
            }
            let keyOffset = index
            let key = try parseString()
            if canonical {
                // Strictly increasing UTF-16 order also rules out duplicates: keys are NFC here.
                if let previousKey, !previousKey.utf16.lexicographicallyPrecedes(key.utf16) {
                    throw notCanonical("key \"\(key)\" is out of order (members sort by UTF-16 code units)", at: keyOffset)
                }
                previousKey = key
            }
            try skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error(.syntax, "expected ':'") }
            index += 1
            try skipWhitespace()
            let value = try parseValue(depth: depth)
            // Swift's String equality is canonical equivalence, so "Tân" typed composed and
            // decomposed collide here, as they must once strings are NFC-normalized.
            guard members.updateValue(value, forKey: key) == nil else {
                throw CanonicalJSONError(.duplicateKey, "duplicate key \"\(key)\"", offset: keyOffset)
            }
            try skipWhitespace()
            guard index < bytes.count else { throw error(.syntax, "unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            throw error(.syntax, "expected ',' or '}'")
        }
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        guard depth <= maxDepth else { throw error(.tooDeep, "nesting deeper than \(maxDepth) levels") }
        index += 1
        var elements: [JSONValue] = []
        try skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            try skipWhitespace()
            elements.append(try parseValue(depth: depth))
            try skipWhitespace()
            guard index < bytes.count else { throw error(.syntax, "unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            throw error(.syntax, "expected ',' or ']'")
        }
    }

    private mutating func parseNumber() throws -> Double {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error(.syntax, "a number needs a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error(.syntax, "a number cannot have a leading zero") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error(.syntax, "a fraction needs a digit") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error(.syntax, "an exponent needs a digit") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw CanonicalJSONError(
                .nonFiniteNumber, "the number \(text) is outside the range of an IEEE 754 double",
                offset: start)
        }
        if canonical && !isShortInteger(start..<index) {
            // Anything but a short integer: spelled the one way ECMAScript writes its value?
            guard (try? NumberFormat.ecmaScript(value)) == text else {
                throw notCanonical("the number \(text) is not in canonical form", at: start)
            }
        }
        return value
    }

    /// Digits with an optional minus, at most 15 of them, not "-0": ECMAScript writes every such
    /// integer back as exactly these digits (it is below 10^21 and held exactly by a double).
    /// Leading zeros never get here: they are a syntax error.
    private func isShortInteger(_ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let digits = range.upperBound - i
        guard digits >= 1, digits <= 15 else { return false }
        for j in i..<range.upperBound where !isDigit(bytes[j]) { return false }
        return !(negative && digits == 1 && bytes[i] == UInt8(ascii: "0"))
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private mutating func parseString() throws -> String {
        index += 1  // opening quote
        let start = index
        // Most strings have no escapes: validate the bytes once and make the string directly.
        // Most are ASCII too, which is valid UTF-8 and NFC as it stands: such a string skips the
        // generic validation and the NFC scan (about 1,400 instructions a string, 30 a ledger entry).
        var ascii = true
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                if ascii {
                    let text = String(decoding: bytes[start..<index], as: UTF8.self)
                    index += 1
                    return text
                }
                guard let text = String(validating: bytes[start..<index], as: UTF8.self) else {
                    throw CanonicalJSONError(.invalidUTF8, "a string is not valid UTF-8", offset: start)
                }
                if canonical { try requireNFC(text, start..<index) }
                index += 1
                return text
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error(.syntax, "a control character must be escaped in a string") }
            if c >= 0x80 { ascii = false }
            index += 1
        }
        // With escapes: collect UTF-8 bytes, decoding each escape into its scalar's UTF-8.
        var buffer = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw error(.syntax, "unterminated string") }
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                guard let text = String(validating: buffer, as: UTF8.self) else {
                    throw CanonicalJSONError(.invalidUTF8, "a string is not valid UTF-8", offset: start)
                }
                if canonical { try requireNFC(text, start..<index) }
                index += 1
                return text
            }
            if c < 0x20 { throw error(.syntax, "a control character must be escaped in a string") }
            if c != UInt8(ascii: "\\") {
                buffer.append(c)
                index += 1
                continue
            }
            let escapeOffset = index
            index += 1
            guard index < bytes.count else { throw error(.syntax, "unterminated escape") }
            let e = bytes[index]
            index += 1
            let scalar: Unicode.Scalar
            switch e {
            case UInt8(ascii: "\""): scalar = "\""
            case UInt8(ascii: "\\"): scalar = "\\"
            case UInt8(ascii: "/"): scalar = "/"
            case UInt8(ascii: "b"): scalar = "\u{08}"
            case UInt8(ascii: "f"): scalar = "\u{0C}"
            case UInt8(ascii: "n"): scalar = "\n"
            case UInt8(ascii: "r"): scalar = "\r"
            case UInt8(ascii: "t"): scalar = "\t"
            case UInt8(ascii: "u"):
                let unit = try hex4()
                if (0xD800...0xDBFF).contains(unit) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    else {
                        throw error(.loneSurrogate, String(format4: unit, "a high surrogate \\u%@ not followed by a low one"))
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw error(.loneSurrogate, String(format4: unit, "a high surrogate \\u%@ not followed by a low one"))
                    }
                    scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
                } else if (0xDC00...0xDFFF).contains(unit) {
                    throw error(.loneSurrogate, String(format4: unit, "a low surrogate \\u%@ without a high one"))
                } else {
                    scalar = Unicode.Scalar(unit)!
                }
            default:
                throw error(.syntax, "unknown escape \\\(Unicode.Scalar(e).escaped(asASCII: true))")
            }
            if canonical && !Self.isCanonicalEscape(scalar, short: e != UInt8(ascii: "u"), text: bytes[escapeOffset..<index]) {
                throw notCanonical(
                    "the escape \(String(decoding: bytes[escapeOffset..<index], as: UTF8.self)) is not JCS's", at: escapeOffset)
            }
            buffer.append(contentsOf: String(scalar).utf8)
        }
    }

    /// U+0000–U+024F (ASCII, Latin-1 Supplement, Latin Extended-A and -B) and U+1E00–U+1EFF
    /// (Latin Extended Additional): each is its own NFC, has combining class 0, and neither it nor
    /// the first scalar of its decomposition is ever the second of a canonical composition, so
    /// any string of them is NFC (checked against the Unicode tables in `CanonicalParserTests`).
    static func isNFCInAnyContext(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x250 || (0x1E00...0x1EFF).contains(scalar.value)
    }

    /// JCS escapes only '"', '\\' and the C0 controls: \b \t \n \f \r short, the others as
    /// \u00xx in lower case; every other character is written as itself.
    private static func isCanonicalEscape(_ scalar: Unicode.Scalar, short: Bool, text: ArraySlice<UInt8>) -> Bool {
        switch scalar.value {
        case 0x22, 0x5c, 0x08, 0x09, 0x0a, 0x0c, 0x0d: return short
        case 0x00..<0x20:
            return !short && text.allSatisfy { !(UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }
        default: return false
        }
    }

    /// Refuses a string whose bytes are not its NFC form. Text made only of `isNFCInAnyContext`
    /// scalars (ASCII, and Latin with Vietnamese's precomposed letters) is NFC without a look at
    /// the normalization tables.
    private func requireNFC(_ text: String, _ range: Range<Int>) throws {
        if text.unicodeScalars.allSatisfy(Self.isNFCInAnyContext) { return }
        guard CanonicalJSON.nfc(text).utf8.elementsEqual(text.utf8) else {
            throw notCanonical("a string is not in Unicode NFC", at: range.lowerBound - 1)
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error(.syntax, "a \\u escape needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error(.syntax, "a \\u escape needs four hex digits")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}

extension String {
    /// The message with the 4-digit hex code unit put in place of "%@".
    fileprivate init(format4 unit: UInt32, _ template: String) {
        let hex = String(unit, radix: 16)
        self = template.replacingOccurrences(of: "%@", with: String(repeating: "0", count: 4 - hex.count) + hex)
    }

    private func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
