import ChainFixtures
import Foundation
import Synchronization
import Testing
import TraceLedger

@testable import TraceDomain

/// The replay writes each spill to its scratch space on a thread of its own: until that write
/// has landed, the records it holds are read from memory, and a write that fails still stops
/// the replay.
struct RuleReplaySpillTests {
    /// A scratch space whose writes take their time: each lands `delay` after it was asked for,
    /// so with a window of one entry every next entry's reads come while the last spill is
    /// still being written.
    final class SlowScratch: ScratchSpace, Sendable {
        private let inner = MemoryScratch()
        private let delay: TimeInterval
        private let writes = Mutex(0)

        init(delay: TimeInterval) { self.delay = delay }

        var puts: Int { writes.withLock { $0 } }

        func put(_ records: [(kind: Int, key: String, value: [UInt8])]) throws {
            Thread.sleep(forTimeInterval: delay)
            try inner.put(records)
            writes.withLock { $0 += 1 }
        }

        func get(kind: Int, key: String) throws -> [UInt8]? { try inner.get(kind: kind, key: key) }
    }

    /// A scratch space that refuses every write.
    final class FullScratch: ScratchSpace, Sendable {
        struct Full: Error {}
        func put(_ records: [(kind: Int, key: String, value: [UInt8])]) throws { throw Full() }
        func get(kind: Int, key: String) throws -> [UInt8]? { nil }
    }

    @Test func recordsOfASpillStillBeingWrittenAreReadFromMemory() throws {
        let f = try RuleReplayTests().busyChain()
        let scratch = SlowScratch(delay: 0.005)
        let replay = RuleReplay(scratch: scratch, window: 1)
        // Every entry reads what the one before it changed, which is then still being written:
        // a replay that looked only in the scratch space would find no lot and refuse an entry.
        for seq in 0..<(try f.size()) { try replay.apply(try f.chain.ledger.entry(seq)) }
        try replay.finish()
        #expect(scratch.puts == Int(try f.size()))
        for code in ["RP-A", "RP-B", "RP-C", "RP-AB", "RP-AB2", "RP-AB-1", "RP-AB-2"] {
            let replayed = try #require(replay.state.lot(code))
            let indexed = try #require(f.chain.state.lot(code))
            #expect(try RuleReplayTests.same(replayed, indexed), "\(code)")
        }
    }

    @Test func aSpillThatCannotBeWrittenStopsTheReplay() throws {
        let f = try RuleReplayTests().busyChain()
        // The first spill's write fails on the writer's thread; the next spill finds out.
        let replay = RuleReplay(scratch: FullScratch(), window: 1)
        #expect(throws: ReplayError.self) {
            for seq in 0..<(try f.size()) { try replay.apply(try f.chain.ledger.entry(seq)) }
        }
        // The last spill's failure is found by finish().
        let last = RuleReplay(scratch: FullScratch(), window: 4096)
        for seq in 0..<(try f.size()) { try last.apply(try f.chain.ledger.entry(seq)) }
        try last.finish()
        let size = try f.size()
        let exact = RuleReplay(scratch: FullScratch(), window: size)
        for seq in 0..<size { try exact.apply(try f.chain.ledger.entry(seq)) }
        #expect(throws: ReplayError.self) { try exact.finish() }
    }
}
