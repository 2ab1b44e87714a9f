import Dispatch
import Synchronization

/// One signature check: a signature, the exact signed bytes and the key.
public struct SignatureCheck: Sendable {
    public let signature: [UInt8]
    public let message: [UInt8]
    public let key: PublicKey

    public init(signature: [UInt8], message: [UInt8], key: PublicKey) {
        self.signature = signature
        self.message = message
        self.key = key
    }
}

/// Checks many Ed25519 signatures on every core.
public enum ParallelVerifier {
    /// The number of worker threads used by default: one per active core.
    public static var defaultWorkers: Int { max(1, sysconfWorkers()) }

    /// Verifies every check and returns the index of the first (lowest-index) failure, or nil
    /// when all pass. The answer does not depend on which thread found which failure.
    public static func firstFailure(_ checks: [SignatureCheck], workers: Int = defaultWorkers) -> Int? {
        firstFailure(count: checks.count, workers: workers) { i, verifier in
            let c = checks[i]
            return verifier.verify(signature: c.signature, message: c.message, key: c.key)
        }
    }

    /// The general form: `check(i, verifier)` reports whether item `i` is valid, using the
    /// thread's own `SignatureVerifier`. Items go to the workers in small blocks, in order; once a
    /// failure is known, no worker checks past it.
    public static func firstFailure(
        count: Int, workers: Int = defaultWorkers,
        _ check: @Sendable (Int, SignatureVerifier) -> Bool
    ) -> Int? {
        guard count > 0 else { return nil }
        let found = FirstIndex()
        let contexts: @Sendable () -> SignatureVerifier = { SignatureVerifier() }
        ParallelBlocks.run(count: count, workers: workers, context: contexts) { range, verifier in
            for i in range {
                if i & 15 == 0, found.value < i { return false }
                if !check(i, verifier) {
                    found.offer(i)
                    return false
                }
            }
            return true
        }
        let first = found.value
        return first == Int.max ? nil : first
    }

    private static func sysconfWorkers() -> Int {
        #if canImport(Glibc)
            return Int(sysconfNProcessorsOnline())
        #else
            return 1
        #endif
    }
}

#if canImport(Glibc)
    import Glibc
    private func sysconfNProcessorsOnline() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#endif

/// The lowest index offered so far, shared by the workers.
final class FirstIndex: Sendable {
    private let lowest = Mutex(Int.max)

    var value: Int { lowest.withLock { $0 } }

    func offer(_ index: Int) { lowest.withLock { $0 = min($0, index) } }
}
