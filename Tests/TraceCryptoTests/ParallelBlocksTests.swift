import Synchronization
import Testing
import TraceCrypto

struct ParallelBlocksTests {
    static let noContext: @Sendable () -> Void = {}

    @Test func everyItemIsVisitedOnceWhateverTheBlockAndWorkerCounts() {
        for (count, workers, block) in [(1, 4, 64), (1000, 2, 64), (1000, 3, 7), (130, 8, 64), (64, 2, 64)] {
            let visits = Mutex([Int](repeating: 0, count: count))
            ParallelBlocks.run(count: count, workers: workers, block: block, context: Self.noContext) { range, _ in
                visits.withLock { for i in range { $0[i] += 1 } }
                return true
            }
            #expect(visits.withLock { $0 } == [Int](repeating: 1, count: count), "\(count) items, \(workers) workers")
        }
    }

    @Test func aThreadThatIsToldToStopClaimsNoMoreBlocks() {
        let claimed = Mutex(0)
        ParallelBlocks.run(count: 10_000, workers: 1, block: 10, context: Self.noContext) { _, _ in
            claimed.withLock { $0 += 1 }
            return false
        }
        #expect(claimed.withLock { $0 } == 1)
    }
}
