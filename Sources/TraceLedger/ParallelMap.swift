import Synchronization
public import TraceCrypto

/// Work over many items on every core, in small blocks (`ParallelBlocks`), each thread with its
/// own signature verifier and hasher (OpenSSL contexts are not shared between threads).
public enum ParallelMap {
    /// `body(i, verifier, hasher)` for every `i` in `0..<count`, results in index order.
    public static func map<T: Sendable>(
        count: Int, workers: Int = ParallelVerifier.defaultWorkers,
        _ body: @Sendable (Int, SignatureVerifier, SHA256.Hasher) -> T
    ) -> [T] {
        guard count > 0 else { return [] }
        let parts = Mutex<[Int: [T]]>([:])
        let contexts: @Sendable () -> (SignatureVerifier, SHA256.Hasher) = { (SignatureVerifier(), SHA256.Hasher()) }
        ParallelBlocks.run(count: count, workers: workers, context: contexts) { range, own in
            let part = range.map { body($0, own.0, own.1) }
            parts.withLock { $0[range.lowerBound] = part }
            return true
        }
        return parts.withLock { all in all.keys.sorted().flatMap { all[$0]! } }
    }
}
