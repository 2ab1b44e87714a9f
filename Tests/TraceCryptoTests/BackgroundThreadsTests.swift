import Dispatch
import Synchronization
import Testing
import TraceCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// A server's write runs on the background threads: its parallel work (signature checks over a
/// batch) stays on them, at their lower priority, and work started anywhere else does not.
struct BackgroundThreadsTests {
    /// The nice value of each block's thread, and how many threads ran blocks.
    private static func priorities() -> (nice: Set<Int32>, threads: Int) {
        let seen = Mutex<(Set<Int32>, Set<pthread_t>)>(([], []))
        let block: @Sendable (Range<Int>, Void) -> Bool = { _, _ in
            // Long enough per block that every worker takes some.
            var x: UInt64 = 0
            for i in 0..<20_000 { x = x &* 31 &+ UInt64(i) }
            let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            seen.withLock {
                $0.0.insert(nice)
                $0.1.insert(pthread_self())
            }
            return x != 1
        }
        ParallelBlocks.run(count: 4_000, workers: 4, block: 8, context: { () }, block)
        return seen.withLock { ($0.0, $0.1.count) }
    }

    @Test func aWritesParallelWorkRunsAtTheBackgroundPriorityAndNothingElseDoes() async throws {
        #if os(Linux)
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            let base = getpriority(which, id_t(getpid()))
            let background = await withCheckedContinuation { continuation in
                BackgroundThreads.writer.async { continuation.resume(returning: Self.priorities()) }
            }
            #expect(background.nice == [min(19, base + BackgroundThreads.niceness)])
            #expect(background.threads > 1, "the write's blocks ran on one thread")
            // Many short calls in a row: each returns only once the pool has let go of its work
            // (a pool thread still holding the caller's closure would trap here).
            let sums = await withCheckedContinuation { continuation in
                BackgroundThreads.writer.async {
                    var sums: [Int] = []
                    for _ in 0..<500 {
                        let total = Mutex(0)
                        ParallelBlocks.run(count: 64, workers: 4, block: 4, context: { () }) { range, _ in
                            total.withLock { $0 += range.count }
                            return true
                        }
                        sums.append(total.withLock { $0 })
                    }
                    continuation.resume(returning: sums)
                }
            }
            #expect(sums == Array(repeating: 64, count: 500))
            // Work started on an ordinary thread keeps the ordinary priority, before and after.
            let ordinary = Self.priorities()
            #expect(ordinary.nice == [base])
        #endif
    }
}
