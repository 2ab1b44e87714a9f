import CanonicalJSON
import TraceCertificates
import TraceClient
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

    /// The exit status for an error that is not a CLIFailure: 1 for a ledger that lost entries
    /// behind, or forked from, a signed checkpoint; 3 when the store could not be written; else 2.
    static func status(for error: any Error) -> Int32 {
        // A server whose answer contradicts itself failed a check: exit 1, as a failed verification.
        // One that could not be reached (or kept failing, a full disk's 507 among them) is exit 3,
        // as CLI.md promises, not the 2 of bad input: tools/chaos found it.
        if let error = error as? RemoteError {
            switch error.code {
            case .tampered: return 1
            case .unreachable: return 3
            default: return 2
            }
        }
        guard let error = error as? LedgerError else { return 2 }
        switch error.code {
        case .behind, .fork: return 1
        case .storeFull: return 3
        default: return 2
        }
    }

    /// The one-line reason for our library errors, or nil for others.
    static func describe(_ error: any Error) -> String? {
        switch error {
        case let e as LedgerError: "error: \(e.message) [\(e.code.rawValue)]"
        case let e as CryptoError: "error: \(e.message) [\(e.code.rawValue)]"
        case let e as CanonicalJSONError: "error: \(e.description)"
        case let e as DomainError: "refused: \(e.message) [\(e.code.rawValue)]"
        case let e as CertificateError: "refused: \(e.message) [\(e.code.rawValue)]"
        case let e as RemoteError where e.code == .refused: "refused: \(e.message)" + (e.serverCode.map { " [\($0)]" } ?? "")
        case let e as RemoteError: "error: --server: \(e.message) [\(e.code.rawValue)]"
        default: nil
        }
    }
}
