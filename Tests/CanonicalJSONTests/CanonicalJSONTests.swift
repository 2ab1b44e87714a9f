import CanonicalJSON
import Foundation
import Testing

private func vector(_ name: String) throws -> [UInt8] {
    let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Vectors")!
    return [UInt8](try Data(contentsOf: url))
}

struct CanonicalJSONTests {
    @Test func rfc8785MainExample() throws {
        let output = try CanonicalJSON.canonicalize(vector("rfc8785-3.2.2-input.json"))
        #expect(output == (try vector("rfc8785-3.2.2-output.json")))
    }

    @Test func rfc8785KeysSortByUTF16CodeUnits() throws {
        let output = try CanonicalJSON.string(CanonicalJSON.parse(vector("rfc8785-3.2.3-input.json")))
        // RFC 8785's order, but for one key: U+FB33 is a composition exclusion, so NFC turns it
        // into U+05D3 U+05BC, which sorts after "ö". Plain JCS would put it last.
        let expected =
            #"{"\r":"Carriage Return","1":"One","\#u{80}":"Control","ö":"Latin Small Letter O With Diaeresis","\#u{05D3}\#u{05BC}":"Hebrew Letter Dalet With Dagesh","€":"Euro Sign","😀":"Emoji: Grinning Face"}"#
        #expect(output == expected)
        // UTF-16 order, not code point order: U+1F600 (D83D DE00) sorts before U+FF21.
        let order = try CanonicalJSON.string(["\u{FF21}": 1, "\u{1F600}": 2, "\u{20AC}": 3])
        #expect(order == "{\"\u{20AC}\":3,\"\u{1F600}\":2,\"\u{FF21}\":1}")
    }

    struct NumberVector: CustomTestStringConvertible, Sendable {
        let bits: UInt64, text: String
        var testDescription: String { String(bits, radix: 16) }
    }

    static let numbers: [NumberVector] = {
        guard let url = Bundle.module.url(forResource: "rfc8785-numbers", withExtension: "txt", subdirectory: "Vectors"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
            let parts = $0.split(separator: " ")
            return NumberVector(bits: UInt64(parts[0], radix: 16)!, text: String(parts[1]))
        }
    }()

    @Test func numberVectorsLoaded() { #expect(Self.numbers.count == 24) }

    @Test(arguments: numbers)
    func rfc8785AppendixBNumbers(_ v: NumberVector) throws {
        let value = Double(bitPattern: v.bits)
        #expect(try CanonicalJSON.string(.number(value)) == v.text)
        // Parsing the canonical text gives back the same double.
        #expect(try CanonicalJSON.parse(v.text) == .number(value == 0 ? 0 : value))
    }

    @Test func nonFiniteNumbersAreRefused() {
        for bits: UInt64 in [0x7fff_ffff_ffff_ffff, 0x7ff0_0000_0000_0000, 0xfff0_0000_0000_0000] {
            #expect(throws: CanonicalJSONError.self) { try CanonicalJSON.encode(.number(Double(bitPattern: bits))) }
        }
        let error = #expect(throws: CanonicalJSONError.self) { try CanonicalJSON.parse("[1e400]") }
        #expect(error?.code == .nonFiniteNumber)
    }

    @Test func loneSurrogatesAreRefused() {
        for text in [#"["\ud800"]"#, #"["\udc00x"]"#, #"["\ud83d\u0041"]"#, #"{"\ud800":1}"#] {
            let error = #expect(throws: CanonicalJSONError.self, "\(text)") { try CanonicalJSON.parse(text) }
            #expect(error?.code == .loneSurrogate)
        }
    }

    @Test func duplicateKeysAreRefusedNamingTheKey() {
        let error = #expect(throws: CanonicalJSONError.self) { try CanonicalJSON.parse(#"{"lot":"A","lot":"B"}"#) }
        #expect(error?.code == .duplicateKey)
        #expect(error?.message.contains("\"lot\"") == true)
        // An escaped spelling of the same key is the same key.
        #expect(throws: CanonicalJSONError.self) { try CanonicalJSON.parse(#"{"a":1,"\u0061":2}"#) }
    }

    @Test func vietnameseComposedAndDecomposedGiveTheSameBytes() throws {
        let composed = "Hợp tác xã Tân Lập, Cần Giuộc"
        let decomposed = composed.decomposedStringWithCanonicalMapping
        #expect(Array(composed.utf8) != Array(decomposed.utf8))
        let a = try CanonicalJSON.encode(["name": .string(composed)])
        let b = try CanonicalJSON.encode(["name": .string(decomposed)])
        #expect(a == b)
        #expect(a == Array("{\"name\":\"\(composed)\"}".utf8))
        // Keys are normalized too, and a composed/decomposed pair of keys is a duplicate.
        let keyA = try CanonicalJSON.encode(.object([decomposed: 1]))
        #expect(keyA == Array("{\"\(composed)\":1}".utf8))
        let dup = "{\"\(composed)\":1,\"\(decomposed)\":2}"
        let error = #expect(throws: CanonicalJSONError.self) { try CanonicalJSON.parse(dup) }
        #expect(error?.code == .duplicateKey)
    }

    @Test func malformedInputIsRefusedNotCrashed() {
        let cases: [([UInt8], CanonicalJSONError.Code)] = [
            (Array("{".utf8), .syntax), (Array("[1,]".utf8), .syntax), (Array("01".utf8), .syntax),
            (Array("\"a".utf8), .syntax), (Array("[1] x".utf8), .syntax), (Array("nul".utf8), .syntax),
            (Array("\"\u{01}\"".utf8), .syntax), ([0x22, 0xff, 0xfe, 0x22], .invalidUTF8),
            (Array(repeating: UInt8(ascii: "["), count: 100_000), .tooDeep),
        ]
        for (bytes, code) in cases {
            let error = #expect(throws: CanonicalJSONError.self) { try CanonicalJSON.parse(bytes) }
            #expect(error?.code == code, "\(String(decoding: bytes.prefix(20), as: UTF8.self))")
        }
    }

    @Test func controlCharactersUseTheShortestEscape() throws {
        let text = try CanonicalJSON.string(.string("\u{08}\t\n\u{0C}\r\u{01}\u{1F}\u{7F}\u{2028}/"))
        #expect(text == "\"\\b\\t\\n\\f\\r\\u0001\\u001f\u{7F}\u{2028}/\"")
    }

    @Test func canonicalizationIsIdempotent() throws {
        let once = try CanonicalJSON.canonicalize(vector("rfc8785-3.2.2-input.json"))
        #expect(try CanonicalJSON.canonicalize(once) == once)
    }
}
