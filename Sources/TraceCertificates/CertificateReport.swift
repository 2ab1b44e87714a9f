/// One check of a certificate and what it found.
public struct CertificateCheck: Sendable, Equatable {
    /// What a certificate verification checks, in the order it checks them.
    public enum Name: String, Sendable, CaseIterable {
        case checkpoint, genesis, inclusion, chain, signatures, keys, rules, lineage, disclosures, exporter, consistency,
            revocation
    }

    public let name: Name
    public let passed: Bool
    /// What was checked, or what failed and where.
    public let detail: String
    /// The entry the failure concerns, when there is one.
    public let entry: UInt64?

    public init(_ name: Name, passed: Bool, _ detail: String, entry: UInt64? = nil) {
        self.name = name
        self.passed = passed
        self.detail = detail
        self.entry = entry
    }
}

/// The result of verifying a certificate: every check in order, and what the certificate says
/// once it is known to hold.
public struct CertificateReport: Sendable {
    public internal(set) var checks: [CertificateCheck] = []
    /// The certificate's content, read from its replayed entries; nil when it could not be read.
    public internal(set) var content: CertificateContent?

    /// True when every check passed.
    public var ok: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }
    /// The first failed check, which the verdict names.
    public var firstFailure: CertificateCheck? { checks.first { !$0.passed } }

    mutating func record(_ name: CertificateCheck.Name, _ failure: (detail: String, entry: UInt64?)?, passed detail: String) {
        if let failure {
            checks.append(CertificateCheck(name, passed: false, failure.detail, entry: failure.entry))
        } else {
            checks.append(CertificateCheck(name, passed: true, detail))
        }
    }
}
