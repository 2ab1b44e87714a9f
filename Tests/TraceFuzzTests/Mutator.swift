import TestSupport

/// Simple, seeded mutations of a seed input, in the spirit of libFuzzer's own but without its
/// coverage feedback: what CI can afford in the normal build.
enum Mutator {
    /// Bytes that change how JSON, CSV, notes and query strings read.
    static let significant: [[UInt8]] =
        [
            "{", "}", "[", "]", "\"", ":", ",", "\\", "-", ".", "e", "E", "+", "0", "9", "1e999", "-0", "null", "true",
            "\\u0000", "\\ud800", "%", "%00", "%zz", "&", "=", "?", "/", "\n", "\r\n", " ", "\t", "\u{2014}", "\u{00A0}",
            "18446744073709551616", "9223372036854775808",
        ].map { Array($0.utf8) } + [[0x00], [0xFF], [0xC3], [0xE2, 0x80], [0xF0, 0x9F, 0x98, 0x80]]

    /// One to four mutations of `seed`, stacked; `other` is another seed to splice from.
    static func mutate(_ seed: [UInt8], splicing other: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = seed
        for _ in 0...Int(random.next() % 4) {
            switch random.next() % 8 {
            case 0:  // flip one bit
                guard !bytes.isEmpty else { continue }
                bytes[index(bytes.count, &random)] ^= 1 << UInt8(random.next() % 8)
            case 1:  // replace a byte with any byte
                guard !bytes.isEmpty else { continue }
                bytes[index(bytes.count, &random)] = UInt8(truncatingIfNeeded: random.next())
            case 2:  // truncate
                bytes.removeLast(bytes.count - index(bytes.count + 1, &random))
            case 3:  // delete a chunk
                guard !bytes.isEmpty else { continue }
                let start = index(bytes.count, &random)
                bytes.removeSubrange(start..<min(bytes.count, start + 1 + index(16, &random)))
            case 4, 5:  // insert bytes that matter to a parser
                let insert = significant[index(significant.count, &random)]
                bytes.insert(contentsOf: insert, at: index(bytes.count + 1, &random))
            case 6:  // duplicate a chunk in place
                guard !bytes.isEmpty else { continue }
                let start = index(bytes.count, &random)
                let chunk = bytes[start..<min(bytes.count, start + 1 + index(64, &random))]
                bytes.insert(contentsOf: chunk, at: index(bytes.count + 1, &random))
            default:  // splice: this seed's head onto another seed's tail
                bytes = Array(bytes.prefix(index(bytes.count + 1, &random)) + other.suffix(index(other.count + 1, &random)))
            }
        }
        return Array(bytes.prefix(1 << 16))
    }

    static func index(_ count: Int, _ random: inout SplitMix64) -> Int {
        count <= 1 ? 0 : Int(random.next() % UInt64(count))
    }
}
