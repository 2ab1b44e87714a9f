/// A failure in a cryptographic operation or in reading key material, with a stable code.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable reason; new codes may be added.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let openssl = Code(rawValue: "crypto.openssl")
        public static let badKeyFile = Code(rawValue: "crypto.bad_key_file")
        public static let keyFileExists = Code(rawValue: "crypto.key_file_exists")
        public static let badVerifierKey = Code(rawValue: "crypto.bad_verifier_key")
        public static let badSignature = Code(rawValue: "crypto.bad_signature")
        /// A public key that the ledger's Ed25519 rule refuses (small order, non-canonical, not a point).
        public static let refusedKey = Code(rawValue: "crypto.refused_key")
        public static let badLength = Code(rawValue: "crypto.bad_length")
        public static let io = Code(rawValue: "crypto.io")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
