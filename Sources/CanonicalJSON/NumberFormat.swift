/// Serializes a double exactly as ECMAScript's Number.prototype.toString does, which is what
/// RFC 8785 section 3.2.2.3 requires.
enum NumberFormat {
    /// The ECMAScript string of a finite double; throws for NaN and the infinities, which JSON
    /// cannot represent.
    static func ecmaScript(_ value: Double) throws -> String {
        guard value.isFinite else {
            throw CanonicalJSONError(.nonFiniteNumber, "\(value) cannot be written in JSON (RFC 8785 refuses NaN and Infinity)")
        }
        if value == 0 { return "0" }  // also -0
        // Swift's description is the shortest digit string that round-trips, choosing the
        // closest on ties: the same digits ECMAScript's algorithm picks. Only the layout differs.
        var text = value.magnitude.description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integer = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        var digits = Array(integer + fraction)
        var point = integer.count + exponent  // the decimal point sits after `point` digits
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        let k = digits.count
        let n = point
        let d = String(digits)
        let body: String
        if k <= n && n <= 21 {
            body = d + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            body = String(digits[0..<n]) + "." + String(digits[n...])
        } else if -6 < n && n <= 0 {
            body = "0." + String(repeating: "0", count: -n) + d
        } else {
            let e = n - 1
            let sign = e < 0 ? "-" : "+"
            let mantissa = k == 1 ? d : String(digits[0]) + "." + String(digits[1...])
            body = mantissa + "e" + sign + String(e.magnitude)
        }
        return value < 0 ? "-" + body : body
    }
}
