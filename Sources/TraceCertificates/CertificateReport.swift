public import TraceDomain

/// One check of a certificate and what it found.
public struct CertificateCheck: Sendable, Equatable {
    /// What a certificate verification checks, in the order it checks them.
    public enum Name: String, Sendable, CaseIterable {
        case checkpoint, witnesses, genesis, inclusion, chain, signatures, keys, rules, lineage, disclosures, exporter,
            consistency,
            revocation, recall
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
    /// The certificate's lot.
    public internal(set) var lot = ""
    /// The open recalls holding the lot or its lineage, as of `recallStatusAtSize`.
    public internal(set) var recalls: [Verdict.Recall] = []
    /// The checkpoint size the recall status was read at: the certificate's own, or a live ledger's.
    public internal(set) var recallStatusAtSize: UInt64 = 0
    /// True once the recall status comes from a live ledger rather than the file alone.
    public internal(set) var recallStatusLive = false

    /// The buyer's verdict, decided by the same function as every other verdict: a failed check
    /// is `not verified`; an open recall, with every other check passed, is `recalled`.
    public var verdict: Verdict {
        let failure = checks.first { !$0.passed && !($0.name == .recall && !recalls.isEmpty) }
        return Verdict.decide(
            lot: lot, failure: failure.map { Verdict.Failure(entry: $0.entry, reason: "\($0.name.rawValue): \($0.detail)") },
            recalls: recalls, statusAtSize: recallStatusAtSize, offline: !recallStatusLive)
    }

    /// True when every check passed.
    public var ok: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }
    /// The first failed check, which the verdict names.
    public var firstFailure: CertificateCheck? { checks.first { !$0.passed } }

    /// Adds a check made against a live ledger (consistency, revocation), before the recall check.
    public mutating func append(_ check: CertificateCheck) {
        if let i = checks.firstIndex(where: { $0.name == .recall }) {
            checks.insert(check, at: i)
        } else {
            checks.append(check)
        }
    }

    mutating func record(_ name: CertificateCheck.Name, _ failure: (detail: String, entry: UInt64?)?, passed detail: String) {
        if let failure {
            checks.append(CertificateCheck(name, passed: false, failure.detail, entry: failure.entry))
        } else {
            checks.append(CertificateCheck(name, passed: true, detail))
        }
    }
}
