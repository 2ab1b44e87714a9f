import CanonicalJSON
import TraceCertificates
import TraceCrypto
import TraceDomain
import TraceLedger

/// A refusal or failed check, with the exit status the command surface promises.
struct CLIFailure: Error {
    let status: Int32
    let message: String

    /// Bad input or usage: exit 2.
    static func input(_ message: String) -> CLIFailure { CLIFailure(status: 2, message: message) }
    /// A verification that failed: exit 1.
    static func verification(_ message: String) -> CLIFailure { CLIFailure(status: 1, message: message) }

    /// The one-line reason for our library errors, or nil for others.
    static func describe(_ error: any Error) -> String? {
        switch error {
        case let e as LedgerError: "error: \(e.message) [\(e.code.rawValue)]"
        case let e as CryptoError: "error: \(e.message) [\(e.code.rawValue)]"
        case let e as CanonicalJSONError: "error: \(e.description)"
        case let e as DomainError: "refused: \(e.message) [\(e.code.rawValue)]"
        case let e as CertificateError: "refused: \(e.message) [\(e.code.rawValue)]"
        default: nil
        }
    }
}
