import CanonicalJSON
import Foundation

/// Printing: text for people, one JSON document for scripts.
enum Output {
    /// Prints `value` as one line of canonical JSON (stable key order).
    static func json(_ value: JSONValue) throws {
        print(try CanonicalJSON.string(value))
    }

    /// Writes a line to standard error.
    static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// "1 entry", "1,200 entries".
    static func count<T: BinaryInteger>(_ n: T, _ singular: String, _ plural: String) -> String {
        "\(count(n)) \(n == 1 ? singular : plural)"
    }

    /// 1234567 as "1,234,567".
    static func count<T: BinaryInteger>(_ n: T) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
