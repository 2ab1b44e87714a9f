import CanonicalJSON
import Foundation
import TestSupport
import Testing

/// The canonical parser (checks the spelling as it reads) against the re-encode check it replaces:
/// both must accept and refuse exactly the same texts.
struct CanonicalParserTests {
    static func reencodeAccepts(_ bytes: [UInt8]) -> Bool {
        guard let value = try? CanonicalJSON.parse(bytes), let again = try? CanonicalJSON.encode(value) else { return false }
        return again == bytes
    }

    static func parserAccepts(_ bytes: [UInt8]) -> Bool { (try? CanonicalJSON.parseCanonical(bytes)) != nil }

    static func vector(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Vectors"))
        return [UInt8](try Data(contentsOf: url))
    }

    @Test func rfc8785VectorsGetTheSameAnswer() throws {
        for name in ["rfc8785-3.2.2-input.json", "rfc8785-3.2.2-output.json", "rfc8785-3.2.3-input.json"] {
            let bytes = try Self.vector(name)
            #expect(Self.parserAccepts(bytes) == Self.reencodeAccepts(bytes), "\(name)")
            let canonical = try CanonicalJSON.canonicalize(bytes)
            #expect(Self.parserAccepts(canonical) && Self.reencodeAccepts(canonical), "\(name), canonicalized")
            #expect(try CanonicalJSON.parseCanonical(canonical) == CanonicalJSON.parse(bytes))
        }
        #expect(!Self.parserAccepts(try Self.vector("rfc8785-3.2.2-input.json")))
    }

    @Test func numberVectorsGetTheSameAnswer() throws {
        for number in CanonicalJSONTests.numbers {
            let text = Array(number.text.utf8)
            #expect(Self.parserAccepts(text) == Self.reencodeAccepts(text), "\(number.text)")
            // Other spellings of the same value.
            for other in ["\(number.text).0", "\(number.text)e0", "0\(number.text)", "\(number.text)E+0"] {
                let bytes = Array(other.utf8)
                #expect(Self.parserAccepts(bytes) == Self.reencodeAccepts(bytes), "\(other)")
            }
        }
    }

    /// The parser takes text made of these scalars as NFC without normalizing it: true only if
    /// every one is NFC alone and after any other of them, with nothing to compose or reorder.
    @Test func theNFCFastPathRangesNeedNoNormalization() {
        let scalars = (0..<0x250).compactMap(Unicode.Scalar.init) + (0x1E00...0x1EFF).compactMap(Unicode.Scalar.init)
        for scalar in scalars {
            let text = String(scalar)
            #expect(
                CanonicalJSON.nfc(text).unicodeScalars.elementsEqual(text.unicodeScalars), "U+\(String(scalar.value, radix: 16))")
            #expect(scalar.properties.canonicalCombiningClass == .notReordered)
        }
        // Every ordered pair of a sample from each block (all pairs would be 1,100^2 normalizations).
        let sample = scalars.enumerated().filter { $0.offset % 7 == 0 }.map(\.element)
        for a in sample {
            for b in sample {
                let text = String(a) + String(b)
                #expect(CanonicalJSON.nfc(text).unicodeScalars.elementsEqual(text.unicodeScalars))
            }
        }
        // Vietnamese text typed precomposed passes; typed with combining marks it is refused.
        #expect(Self.parserAccepts(Array("[\"Hợp tác xã Tân Lập, Lúa ST25, Đồng Tháp\"]".utf8)))
        #expect(!Self.parserAccepts(Array("[\"Ta\u{302}n\"]".utf8)))
    }

    @Test func eachKindOfNonCanonicalSpellingIsRefused() {
        let cases = [
            #"{"a":1, "b":2}"#, #" {"a":1}"#, #"{"a":1}\#n"#, #"{"b":1,"a":2}"#, #"{"a":1,"a":1}"#,
            #"["\/"]"#, #"["\u0041"]"#, #"["\u001F"]"#, #"["\u0008"]"#, #"["\u00e9"]"#, #"[1.0]"#, #"[1e2]"#,
            #"[-0]"#, #"[100000000000000000000000]"#, "[\"e\u{301}\"]", "{\"e\u{301}\":1}",
        ]
        for text in cases {
            let bytes = Array(text.utf8)
            #expect(!Self.parserAccepts(bytes), "\(text)")
            #expect(!Self.reencodeAccepts(bytes), "\(text)")
        }
        for text in [
            #"["\b\t\n\f\r\"\\\u001f\u0000"]"#, #"[1e+23,-5e-324,0.5,-12]"#, "{\"\u{20AC}\":3,\"\u{1F600}\":2,\"\u{FF21}\":1}",
            "[\"\u{E9}\"]", "{}", "[]",
        ] {
            #expect(Self.parserAccepts(Array(text.utf8)), "\(text)")
            #expect(Self.reencodeAccepts(Array(text.utf8)), "\(text)")
        }
    }

    static let pieces: [String] = [
        "a", "b", "id", "lot", "\"", "\\", "/", "\u{08}", "\t", "\n", "\u{0C}", "\r", "\u{01}", "\u{1F}", "\u{7F}",
        "é", "e\u{301}", "Tân", "Ta\u{302}n", "\u{FB33}", "€", "😀", "\u{FF21}", "\u{E000}", "\u{2028}", " ",
    ]

    static func randomValue(_ rng: inout SplitMix64, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            let choices: [Double] = [
                0, -0.0, 1, -1, 42, 1e21, 1e-7, 0.5, 123_456_789_012_345, 9_007_199_254_740_992, 1e23, -5e-324,
            ]
            return .number(
                Bool.random(using: &rng)
                    ? choices.randomElement(using: &rng)! : Double(Int.random(in: -1_000_000...1_000_000, using: &rng)))
        case 3, 4: return .string(randomString(&rng))
        case 5: return .array((0..<Int.random(in: 0..<4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<5, using: &rng) { members[randomString(&rng)] = randomValue(&rng, depth: depth + 1) }
            return .object(members)
        }
    }

    static func randomString(_ rng: inout SplitMix64) -> String {
        (0..<Int.random(in: 0..<4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    /// Byte-level edits that a hand-written or hostile text might carry.
    static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = bytes
        guard !b.isEmpty else { return b }
        let at = Int.random(in: 0..<b.count, using: &rng)
        switch Int.random(in: 0..<9, using: &rng) {
        case 0: b.insert([0x20, 0x0a, 0x09, 0x0d].randomElement(using: &rng)!, at: at)
        case 1: b.remove(at: at)
        case 2: b[at] = UInt8.random(in: 0...255, using: &rng)
        case 3:
            b.insert(
                contentsOf: Array("\\u00".utf8)
                    + Array(["41", "1f", "1F", "08", "e9", "22", "5c", "2f"].randomElement(using: &rng)!.utf8), at: at)
        case 4:
            b.insert(
                contentsOf: Array(
                    ["\\/", "\\b", "\\\"", ".0", "e1", "E0", "-0", "0", "\u{301}", "é"].randomElement(using: &rng)!.utf8), at: at)
        case 5:
            if at + 1 < b.count { b.swapAt(at, at + 1) }
        case 6:
            // Repeat a stretch: duplicate members and elements.
            let end = min(b.count, at + Int.random(in: 1...12, using: &rng))
            b.insert(contentsOf: b[at..<end], at: end)
        case 7: b[at] = [UInt8(ascii: "A"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "1")].randomElement(using: &rng)!
        default:
            b.insert(
                contentsOf: Array(["\u{1F600}", "\u{FF21}", "\u{E000}", "zz", "00"].randomElement(using: &rng)!.utf8), at: at)
        }
        return b
    }

    @Test func generatedAndMutatedTextsGetTheSameAnswer() throws {
        var rng = SplitMix64(state: 0x7472_6163_6531_37)
        var accepted = 0
        var refused = 0
        for round in 0..<4000 {
            let value = Self.randomValue(&rng)
            let canonical = try CanonicalJSON.encode(value)
            #expect(Self.parserAccepts(canonical), "round \(round): canonical \(String(decoding: canonical, as: UTF8.self))")
            #expect(try CanonicalJSON.parseCanonical(canonical) == CanonicalJSON.parse(canonical))
            var text = canonical
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                text = Self.mutate(text, &rng)
                let parser = Self.parserAccepts(text)
                let reencode = Self.reencodeAccepts(text)
                #expect(parser == reencode, "round \(round): \(text.map { String($0, radix: 16) }.joined(separator: " "))")
                if reencode { accepted += 1 } else { refused += 1 }
            }
        }
        // The mutations reach both answers often enough to mean something.
        #expect(accepted > 500 && refused > 2000, "accepted \(accepted), refused \(refused)")
    }
}
