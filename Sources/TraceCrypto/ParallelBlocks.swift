import Dispatch
import Synchronization

/// Work over `0..<count` on several threads, in small blocks claimed in index order: a thread
/// slowed by other work on its core (the caller's own sequential checks, say) takes fewer blocks
/// instead of holding up the rest, as one fixed stripe per thread would.
public enum ParallelBlocks {
    /// Items per block: enough to amortise the claim, few enough that the last block is short.
    public static let defaultBlock = 64

    /// Runs `body(range, context)` over consecutive blocks on `workers` threads, each thread with
    /// its own `context()` (OpenSSL contexts are not shared between threads). A thread stops
    /// claiming blocks once `body` returns false; blocks already claimed by others still run.
    public static func run<Context>(
        count: Int, workers: Int = ParallelVerifier.defaultWorkers, block: Int = defaultBlock,
        context: @Sendable () -> Context, _ body: @Sendable (Range<Int>, Context) -> Bool
    ) {
        guard count > 0 else { return }
        // A short list still goes to every worker: about four blocks each, never more than `block`
        // items (a buyer's twenty signatures must not all land on one core).
        let size = max(1, min(block, (count + 4 * workers - 1) / (4 * max(1, workers))))
        let threads = min(max(1, workers), (count + size - 1) / size)
        let next = Mutex(0)
        @Sendable func work(_: Int) {
            let own = context()
            while true {
                let start = next.withLock { value -> Int in
                    defer { value += size }
                    return value
                }
                guard start < count, body(start..<min(count, start + size), own) else { return }
            }
        }
        // Work started on a background thread (a server's write) stays on background threads.
        if BackgroundThreads.isCurrent {
            BackgroundThreads.perform(iterations: threads, work)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads, execute: work)
        }
    }
}
