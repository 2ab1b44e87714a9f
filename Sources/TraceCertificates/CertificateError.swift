/// A certificate could not be issued or read: a stable code, and a message naming the field or lot.
public struct CertificateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable reason; new codes may be added.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let malformed = Code(rawValue: "certificate.malformed")
        public static let notExporter = Code(rawValue: "certificate.not_exporter")
        public static let notCheckpointed = Code(rawValue: "certificate.not_checkpointed")
        public static let badInput = Code(rawValue: "certificate.bad_input")
        public static let eudrIncomplete = Code(rawValue: "certificate.eudr_incomplete")
        public static let recalled = Code(rawValue: "certificate.recalled")
        public static let badRequestSignature = Code(rawValue: "request.bad_signature")
        public static let notVerified = Code(rawValue: "certificate.not_verified")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
