import Dispatch
import Synchronization
import TraceCrypto

/// Work over many items on every core: one contiguous stripe per core, each with its own
/// signature verifier and hasher (OpenSSL contexts are not shared between threads).
enum ParallelMap {
    static func map<T: Sendable>(
        count: Int, workers: Int = ParallelVerifier.defaultWorkers,
        _ body: @Sendable (Int, SignatureVerifier, SHA256.Hasher) -> T
    ) -> [T] {
        guard count > 0 else { return [] }
        let stripes = min(max(1, workers), count)
        let size = (count + stripes - 1) / stripes
        let parts = Mutex<[Int: [T]]>([:])
        DispatchQueue.concurrentPerform(iterations: stripes) { stripe in
            let verifier = SignatureVerifier()
            let hasher = SHA256.Hasher()
            let range = (stripe * size)..<min(count, (stripe + 1) * size)
            let part = range.map { body($0, verifier, hasher) }
            parts.withLock { $0[stripe] = part }
        }
        return parts.withLock { all in (0..<stripes).flatMap { all[$0] ?? [] } }
    }
}
