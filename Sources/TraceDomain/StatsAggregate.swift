import Foundation
public import TraceLedger

/// The running aggregate as one snapshot of the rules index holds it, with the parties that give
/// its labels and places: the figures for any filter cost the aggregate, not the ledger.
public struct StatsAggregate: Sendable {
    /// The number of entries the aggregate reflects.
    public let size: UInt64
    let tally: StatsTally
    /// Every party, sorted by id.
    let parties: [PartyRecord]
    let openRecalls: Int
    /// The plots of a crop filter, sorted by id, when `read` was asked for them and there are no
    /// more than its limit (a map draws them); otherwise empty.
    public private(set) var plots: [PlotRecord] = []

    init(size: UInt64, tally: StatsTally, parties: [PartyRecord], openRecalls: Int) {
        self.size = size
        self.tally = tally
        self.parties = parties
        self.openRecalls = openRecalls
    }

    /// Reads the aggregate from the index in `reader` (one snapshot), with the plots `plotsOf`
    /// covers when they are no more than `limit`; nil when the index is missing, of another
    /// version, or not at the ledger's size there.
    public static func read(_ reader: any LedgerReader, plotsOf filter: StatsFilter? = nil, limit: Int = 0) throws
        -> StatsAggregate?
    {
        guard let size = try DomainIndex.size(reader), size == (try reader.size()) else { return nil }
        let parties: [String: PartyRecord] = try DomainIndex.loadAll(.party, reader)
        let recalls: [String: String] = try DomainIndex.loadAll(.recall, reader)
        var aggregate = StatsAggregate(
            size: size, tally: try StatsTally.load(records: reader.sideRecords(DomainIndex.space(.tally))),
            parties: parties.values.sorted { $0.id < $1.id }, openRecalls: recalls.values.filter { !$0.isEmpty }.count)
        if let filter, limit > 0, (1...limit).contains(aggregate.plotCount(filter)) {
            let plots: [String: PlotRecord] = try DomainIndex.loadAll(.plot, reader)
            aggregate.plots = plots.values.filter { filter.covers(crop: $0.crop, month: nil) }.sorted { $0.id < $1.id }
        }
        return aggregate
    }

    /// The figures for `filter`, at the checkpoint whose root is `root`.
    public func stats(_ filter: StatsFilter = .none, root: String) throws -> Stats {
        try Stats(tally, size: size, root: root, filter: filter, parties: parties, openRecalls: openRecalls)
    }

    /// How many plots of the filter's crop there are (the dashboard's map draws them when few).
    public func plotCount(_ filter: StatsFilter) -> Int {
        tally.sums.reduce(0) { sum, item in
            guard item.key.count == 1, item.key[0].month == nil, filter.covers(crop: item.key[0].crop, month: nil) else {
                return sum
            }
            return sum + item.value.values.reduce(0) { $0 + $1.plots }
        }
    }
}

extension Stats {
    /// The figures from the running aggregate: the same as from every record
    /// (`init(_:root:filter:)`), for the same state.
    init(_ tally: StatsTally, size: UInt64, root: String, filter: StatsFilter, parties: [PartyRecord], openRecalls: Int) throws {
        let byID = Dictionary(parties.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let unknown = "?"
        func covers(_ cell: StatsCell) -> Bool { filter.covers(crop: cell.crop, month: cell.month) }

        // Farms in scope and all farms, for the refusal of filters that would single some out.
        let period = filter.from != nil || filter.to != nil
        var inScope: Set<String> = []
        var allFarms: Set<String> = []
        for (cell, slots) in tally.farms {
            for (slot, counts) in slots where slot.dimension == StatsSlot.harvests || slot.dimension == StatsSlot.plots {
                allFarms.formUnion(counts.keys)
                if covers(cell), slot.dimension == StatsSlot.harvests || !period { inScope.formUnion(counts.keys) }
            }
        }
        try Self.refuseIsolating(filter, inScope: inScope.count, left: allFarms.subtracting(inScope).count)

        // The published rows a slot adds to, in a cell: harvests and plots by cooperative make the
        // month, province, commune, crop and cooperative rows.
        func targets(_ slot: StatsSlot, _ cell: StatsCell) -> [(dimension: String, key: String, label: String)] {
            switch slot.dimension {
            case StatsSlot.harvests, StatsSlot.plots:
                let address = byID[slot.key]?.address
                let province = address?.province ?? unknown
                let commune = address.map { "\($0.commune), \($0.province)" } ?? unknown
                let total = slot.dimension == StatsSlot.harvests ? "harvests" : "plots"
                var out = [
                    ("total", total, total), ("province", province, province), ("commune", commune, commune),
                    ("crop", cell.crop, tally.crops[cell.crop]?.label ?? cell.crop),
                    ("cooperative", slot.key, byID[slot.key]?.name ?? slot.key),
                ]
                if slot.dimension == StatsSlot.harvests, let month = cell.month { out.append(("month", month, month)) }
                return out
            case "total": return [("total", slot.key, slot.key.replacingOccurrences(of: "-", with: " "))]
            default: return [(slot.dimension, slot.key, slot.key)]
            }
        }

        var groups: [String: [String: StatsRow]] = [:]
        var processing = 0
        var exportedKg: Decimal = 0
        var certifiedKg: Decimal = 0
        var firstMonth: String?
        var lastMonth: String?
        for (signature, slots) in tally.sums where signature.contains(where: covers) {
            for (slot, totals) in slots {
                if slot == StatsSlot.processingEntries {
                    processing += totals.count
                    continue
                }
                if slot == StatsSlot(dimension: "total", key: "exports") { exportedKg += totals.kilograms }
                if slot == StatsSlot(dimension: "total", key: "certified-exports") { certifiedKg += totals.kilograms }
                if slot.dimension == StatsSlot.harvests, totals.count > 0, let month = signature[0].month {
                    firstMonth = min(firstMonth ?? month, month)
                    lastMonth = max(lastMonth ?? month, month)
                }
                for (dimension, key, label) in targets(slot, signature[0]) {
                    var row =
                        groups[dimension]?[key]
                        ?? StatsRow(
                            dimension: dimension, key: key, label: label, farms: 0, plots: 0, hectares: 0, count: 0,
                            kilograms: 0, suppressed: false)
                    row.plots += totals.plots
                    row.hectares += totals.hectares
                    row.count += totals.count
                    row.kilograms += totals.kilograms
                    groups[dimension, default: [:]][key] = row
                }
            }
        }
        var farmSets: [String: [String: Set<String>]] = [:]
        for (cell, slots) in tally.farms where covers(cell) {
            for (slot, counts) in slots {
                for (dimension, key, _) in targets(slot, cell) {
                    farmSets[dimension, default: [:]][key, default: []].formUnion(counts.keys)
                }
            }
        }
        self.init(
            size: size, root: root, filter: filter, groups: groups, farmCounts: farmSets.mapValues { $0.mapValues(\.count) },
            scopeFarms: inScope.count, processingEntries: processing, parties: parties, openRecalls: openRecalls,
            firstMonth: firstMonth, lastMonth: lastMonth, exportedKg: exportedKg, certifiedKg: certifiedKg)
    }
}
