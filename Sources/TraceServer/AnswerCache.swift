import CanonicalJSON
import TraceDomain
import TraceLedger

/// Rendered answers (a lot's JSON, its buyer page), each with the lots it was made from, kept
/// across appends that touch none of those lots: a pack's QR code is scanned many times, and a
/// page costs a verification of the lot's story to make.
struct AnswerCache {
    /// One answer: its body, whether the thing asked for exists, and the lot keys it shows.
    struct Cached: Sendable {
        let bytes: [UInt8]
        let found: Bool
        /// The lots whose change changes this answer; empty means any change does.
        var lots: Set<String> = []
        /// The ETag, hashed once rather than on every request (a page is tens of kilobytes).
        let tag: String
        /// The signed checkpoint the answer speaks for, where it speaks for one.
        var checkpoint: UInt64?
        /// Makes the same answer for a newer checkpoint, where only the checkpoint's size in it
        /// changes; nil when it must be made again.
        var rebase: (@Sendable (_ checkpoint: UInt64) throws -> Cached)?

        init(
            bytes: [UInt8], found: Bool, lots: Set<String> = [], checkpoint: UInt64? = nil,
            rebase: (@Sendable (UInt64) throws -> Cached)? = nil
        ) {
            self.bytes = bytes
            self.found = found
            self.lots = lots
            self.tag = Answer.tag(bytes)
            self.checkpoint = checkpoint
            self.rebase = rebase
        }

        /// This answer for the ledger whose latest signed checkpoint has `size` entries, when it
        /// is still good (it was made at that checkpoint or a later one) or can be made good by
        /// `rebase`; nil when it must be made again.
        func current(checkpoint size: UInt64?) throws -> Cached? {
            guard let size, let checkpoint, checkpoint < size else { return self }
            return try rebase?(size)
        }
    }

    static let capacity = 20_000
    private var answers: [String: Cached] = [:]
    /// The ledger size the answers are known good for.
    private(set) var size: UInt64

    init(size: UInt64) { self.size = size }

    subscript(key: String) -> Cached? {
        get { answers[key] }
        set {
            if answers.count >= Self.capacity { answers.removeAll(keepingCapacity: true) }
            answers[key] = newValue
        }
    }

    /// Brings the cache to `newSize`: the answers that the entries since could change are dropped.
    mutating func advance(to newSize: UInt64, ledger: Ledger) {
        guard newSize > size else { return }
        apply(Self.touched(from: size, to: newSize, ledger: ledger), from: size, to: newSize)
    }

    /// Applies what the entries from `from` to `to` touched (nil: anything); a cache that has
    /// moved since `from` was read is left to whoever moved it.
    mutating func apply(_ touched: Set<String>?, from: UInt64, to newSize: UInt64) {
        guard newSize > size else { return }
        defer { size = newSize }
        guard from == size, let touched else {
            answers.removeAll(keepingCapacity: true)
            return
        }
        answers = answers.filter { !$0.value.lots.isEmpty && $0.value.lots.isDisjoint(with: touched) }
    }

    /// The lot keys the entries from `from` to `to` touch; nil when they may change anything
    /// or cannot be read. Reads and parses outside any lock.
    static func touched(from: UInt64, to newSize: UInt64, ledger: Ledger) -> Set<String>? {
        guard newSize > from, newSize - from <= 10_000,
            let rows = try? ledger.store.read({ try $0.entries(from: from, limit: Int(newSize - from)) })
        else { return nil }
        var touched: Set<String> = []
        for row in rows {
            guard let entry = try? Entry(bytes: row.bytes, canonical: false),
                let event = try? TraceEvent(parsing: entry.signed), let lots = lots(of: event)
            else {
                return nil
            }
            touched.formUnion(lots)
        }
        return touched
    }

    /// The lot keys an event changes; nil when it may change anything (parties, plots, voids).
    static func lots(of event: TraceEvent) -> Set<String>? {
        guard event.changesOnlyItsLots else { return nil }
        return Set(event.lots.map(\.key))
    }
}
