import Foundation
import TraceCrypto
import TraceLedger

/// Every party, plot and lot of a state, and its open recalls: what the statistics read.
public struct StatsRecords: Sendable {
    /// The number of entries the records reflect.
    public let size: UInt64
    public let parties: [PartyRecord]
    public let plots: [PlotRecord]
    public let lots: [LotRecord]
    public let openRecalls: Int
}

extension DomainState {
    /// The records of a state that holds them all in memory: one built by a full replay
    /// (`DomainState()` and `apply` for every entry).
    public var allRecords: StatsRecords {
        StatsRecords(
            size: size, parties: parties.loaded.sorted { $0.id < $1.id }, plots: plots.loaded.sorted { $0.id < $1.id },
            lots: lots.loaded.sorted { $0.code.key < $1.code.key }, openRecalls: recalls.loaded.filter { !$0.isEmpty }.count)
    }
}

extension SupplyChain {
    /// Every record as the rules index holds it at the state's size (the state itself holds only
    /// what was touched): read in one snapshot, so it is exactly the state the entries made.
    public func allRecords() throws -> StatsRecords {
        guard
            let records = try ledger.store.read({ reader -> StatsRecords? in
                guard try DomainIndex.size(reader) == state.size else { return nil }
                let plots: [String: PlotRecord] = try DomainIndex.loadAll(.plot, reader)
                let lots: [String: LotRecord] = try DomainIndex.loadAll(.lot, reader)
                return StatsRecords(
                    size: state.size, parties: state.parties.loaded.sorted { $0.id < $1.id },
                    plots: plots.values.sorted { $0.id < $1.id }, lots: lots.values.sorted { $0.code.key < $1.code.key },
                    openRecalls: state.recalls.loaded.filter { !$0.isEmpty }.count)
            })
        else {
            // No index in step with the state (another store, or it moved on): replay instead.
            var replayed = DomainState()
            if let (seq, error) = try Self.replay(ledger, into: &replayed) {
                throw DomainError(error.code, "the ledger breaks a rule at entry \(seq): \(error.message); run `trace verify`")
            }
            return replayed.allRecords
        }
        return records
    }

    /// The running aggregate at the state's size, read from the index in one snapshot; nil when
    /// the index is not in step with the state (another store, or it moved on).
    public func statsAggregate() throws -> StatsAggregate? {
        try ledger.store.read { reader -> StatsAggregate? in
            guard try DomainIndex.size(reader) == state.size else { return nil }
            return StatsAggregate(
                size: state.size, tally: try StatsTally.load(records: reader.sideRecords(DomainIndex.space(.tally))),
                parties: state.parties.loaded.sorted { $0.id < $1.id },
                openRecalls: state.recalls.loaded.filter { !$0.isEmpty }.count)
        }
    }

    /// The statistics at the state's size, with the Merkle root of the ledger at that size: from
    /// the running aggregate, or (with no index in step) from a replay's records.
    public func stats(_ filter: StatsFilter = .none) throws -> Stats {
        if let aggregate = try statsAggregate() {
            return try aggregate.stats(filter, root: try ledger.root(size: aggregate.size).hex)
        }
        let records = try allRecords()
        return try Stats(records, root: try ledger.root(size: records.size).hex, filter: filter)
    }
}
