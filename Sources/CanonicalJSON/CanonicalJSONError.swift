/// Why a text is not JSON that RFC 8785 can canonicalize, with the byte offset where it went wrong.
public struct CanonicalJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let syntax = Code(rawValue: "json.syntax")
        public static let invalidUTF8 = Code(rawValue: "json.invalid_utf8")
        public static let loneSurrogate = Code(rawValue: "json.lone_surrogate")
        public static let duplicateKey = Code(rawValue: "json.duplicate_key")
        public static let nonFiniteNumber = Code(rawValue: "json.non_finite_number")
        public static let tooDeep = Code(rawValue: "json.too_deep")
        /// Valid JSON, but not the canonical bytes of its value (FORMAT.md section 2).
        public static let notCanonical = Code(rawValue: "json.not_canonical")
    }

    public let code: Code
    public let message: String
    /// Byte offset in the input, when the error came from parsing.
    public let offset: Int?

    public init(_ code: Code, _ message: String, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String {
        if let offset { return "\(code.rawValue): \(message) (at byte \(offset))" }
        return "\(code.rawValue): \(message)"
    }
}
