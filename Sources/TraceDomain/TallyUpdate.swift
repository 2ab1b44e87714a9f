import Foundation
import TraceLedger

/// Brings the running aggregate (`StatsTally`, in `domain.index.tally`) in step with the lots and
/// plots one flush of the index writes: each changed lot's old share is taken out and its new
/// one put in, and so are the shares of exported lots whose certified ancestry changed with it.
/// A plot whose crop was amended moves every harvest of it to another cell, and the plot does
/// not list its harvests: the aggregate is then rebuilt from every lot (a rare correction).
struct TallyUpdate {
    private let state: DomainState
    private let access: any LedgerWriter
    private var delta = StatsTally()
    private var lotShares: [String: LotShare] = [:]
    private var plotShares: [String: PlotShare] = [:]
    private var lotCache: [String: LotRecord] = [:]
    /// The stored shares of the lots a flush changed, read in one batch (absent ones as nil).
    private var storedShares: [String: LotShare?] = [:]
    // A batch of harvests names the same few plots over and over; decoding a plot's record (its
    // boundary included) for each cost about 100k instructions a harvest (callgrind, trace submit).
    private var plotCache: [String: PlotRecord] = [:]

    init(state: DomainState, access: any LedgerWriter) {
        self.state = state
        self.access = access
    }

    /// Updates the aggregate for the lots and plots changed since the last flush.
    static func run(_ state: DomainState, _ writer: any LedgerWriter) throws {
        let lots = state.lots.changed
        let plots = state.plots.changed
        guard !lots.isEmpty || !plots.isEmpty else { return }
        var update = TallyUpdate(state: state, access: writer)
        if try !update.plotsChanged(plots) {
            try update.rebuild()
            return
        }
        try update.lotsChanged(lots)
        try update.write()
    }

    // MARK: reading the state: what this batch changed is in memory, the rest in the index.

    private mutating func lot(_ key: String) throws -> LotRecord? {
        if let lot = state.lots.records[key] ?? lotCache[key] { return lot }
        let lot: LotRecord? = try DomainIndex.load(.lot, key, access)
        lotCache[key] = lot
        return lot
    }

    private mutating func plot(_ id: String) throws -> PlotRecord? {
        if let plot = state.plots.records[id] ?? plotCache[id] { return plot }
        let plot: PlotRecord? = try DomainIndex.load(.plot, id, access)
        plotCache[id] = plot
        return plot
    }

    private func entry(_ seq: UInt64) throws -> EntryFact? {
        try state.entries.records[seq] ?? DomainIndex.load(.entry, String(seq), access)
    }

    private func storedShare(_ key: String) throws -> LotShare? {
        if let share = lotShares[key] { return share }
        if let stored = storedShares[key] { return stored }
        return try DomainIndex.load(.statlot, key, access)
    }

    // MARK: plots

    /// Takes out and puts in each changed plot's share; false when a plot's crop changed.
    private mutating func plotsChanged(_ ids: Set<String>) throws -> Bool {
        for id in ids.sorted() {
            guard let plot = try plot(id) else { continue }
            let old: PlotShare? = try DomainIndex.load(.statplot, id, access)
            if let old, old.crop != plot.crop { return false }
            let share = PlotShare(crop: plot.crop, cooperative: plot.cooperative, farm: plot.farm, hectares: plot.areaHa)
            if let old { delta.add(old, sign: -1) }
            delta.add(share, sign: 1)
            delta.offer(label: plot.crop, plot: id)
            plotShares[id] = share
        }
        return true
    }

    // MARK: lots

    private mutating func lotsChanged(_ keys: Set<String>) throws {
        var ordered: [(key: String, lot: LotRecord)] = []
        for key in keys { if let lot = try lot(key) { ordered.append((key, lot)) } }
        // Every changed lot's stored share in one read (a round trip each on PostgreSQL otherwise).
        let found: [String: LotShare] = try DomainIndex.loadMany(.statlot, Array(keys), access)
        for key in keys { storedShares[key] = .some(found[key]) }
        // Parents before children: a new lot's origins are its parents'.
        ordered.sort { ($0.lot.createdSeq, $0.key) < ($1.lot.createdSeq, $1.key) }
        var flipped: [String] = []
        for (key, lot) in ordered where try recompute(key, lot) { flipped.append(key) }
        // An exported lot counts as certified when an ancestor is: follow a change of certification down.
        var done = keys
        for key in flipped {
            for child in try downstream(of: key) where done.insert(child).inserted {
                if let lot = try lot(child), lot.status == .exported { _ = try recompute(child, lot) }
            }
        }
    }

    /// Replaces the lot's share; true when whether it holds a certification changed.
    private mutating func recompute(_ key: String, _ lot: LotRecord) throws -> Bool {
        let old = try storedShare(key)
        let share = try makeShare(key, lot, old: old)
        if let old { delta.add(old, sign: -1) }
        delta.add(share, sign: 1)
        lotShares[key] = share
        return (old?.selfCertified ?? false) != share.selfCertified
    }

    private mutating func makeShare(_ key: String, _ lot: LotRecord, old: LotShare?) throws -> LotShare {
        let schemes = Set(lot.certifications.filter { !$0.voided }.map(\.scheme))
        var origins: [StatsOrigin] = []
        var cooperative: String?
        if lot.status == .voided {
            origins = []
        } else if let old, old.createdSeq == lot.createdSeq, !old.origins.isEmpty || lot.plot == nil {
            // A lot's origins never change: its parents are fixed, a parent is never voided once
            // used, and a plot's farm and cooperative are fixed (a crop amendment rebuilds).
            origins = old.origins
            cooperative = old.slots.first { $0.slot.dimension == StatsSlot.harvests }?.slot.key
        } else if let plotID = lot.plot {
            if let plot = try plot(plotID) {
                cooperative = plot.cooperative
                let month = String((lot.harvested ?? "?").prefix(7))
                origins = [StatsOrigin(cell: StatsCell(crop: plot.crop.lowercased(), month: month), farm: plot.farm)]
            }
        } else {
            var found: Set<StatsOrigin> = []
            for parent in Set(lot.parents) { found.formUnion(try storedShare(parent)?.origins ?? []) }
            origins = found.sorted()
        }
        guard !origins.isEmpty else {
            return LotShare(createdSeq: lot.createdSeq, origins: [], selfCertified: !schemes.isEmpty, slots: [])
        }
        var slots: [LotShare.Slotted] = []
        func add(_ dimension: String, _ key: String, count: Int = 1, kilograms: Decimal = 0) {
            slots.append(
                .init(slot: StatsSlot(dimension: dimension, key: key), totals: StatsTotals(count: count, kilograms: kilograms)))
        }
        let produced = lot.produced.kilograms
        if lot.plot != nil {
            add(StatsSlot.harvests, cooperative ?? "?", kilograms: produced)
        } else {
            add("total", "processed-lots", kilograms: produced)
            if case .converted(_, let outputs)? = try entry(lot.createdSeq)?.effect, outputs.first != key {
                // Counted at the entry's first output: every output of one entry has the same origins.
            } else {
                add(StatsSlot.processingEntries.dimension, StatsSlot.processingEntries.key)
            }
        }
        for scheme in schemes.sorted() { add("scheme", scheme, kilograms: produced) }
        if !schemes.isEmpty { add("total", "certified-lots", kilograms: produced) }
        if lot.status == .exported, let export = lot.export {
            let held = lot.held.kilograms
            add("total", "exports", kilograms: held)
            add("country", export.country, kilograms: held)
            if try certified(key) { add("total", "certified-exports", kilograms: held) }
        }
        if !lot.holds.isEmpty { add("total", "lots-on-hold") }
        return LotShare(createdSeq: lot.createdSeq, origins: origins, selfCertified: !schemes.isEmpty, slots: slots)
    }

    /// Whether the lot or a lot it was made from holds a certification not voided.
    private mutating func certified(_ key: String) throws -> Bool {
        var seen: Set<String> = [key]
        var queue = [key]
        while let next = queue.popLast() {
            guard let lot = try lot(next) else { continue }
            if lot.certifications.contains(where: { !$0.voided }) { return true }
            for parent in lot.parents where seen.insert(parent).inserted { queue.append(parent) }
        }
        return false
    }

    private mutating func downstream(of key: String) throws -> [String] {
        var seen: Set<String> = [key]
        var order: [String] = []
        var queue = [key]
        while let next = queue.popLast() {
            for child in try lot(next)?.children ?? [] where seen.insert(child).inserted {
                order.append(child)
                queue.append(child)
            }
        }
        return order
    }

    // MARK: writing

    /// Writes the changed shares and merges the batch's changes into the stored aggregate.
    private func write() throws {
        var out = ByteWriter()
        func put<R: StoredRecord>(_ kind: DomainIndex.Kind, _ key: String, _ record: R) throws {
            out.bytes.removeAll(keepingCapacity: true)
            record.write(to: &out)
            try access.putSideRecord(DomainIndex.space(kind), key: key, value: out.bytes)
        }
        for (key, share) in lotShares { try put(.statlot, key, share) }
        for (id, share) in plotShares { try put(.statplot, id, share) }
        let space = DomainIndex.space(.tally)
        for (signature, slots) in delta.sums {
            let key = TallyRecord.sumsKey(signature)
            var merged = StatsTally()
            if let bytes = try access.sideRecord(space, key: key) {
                merged.sums[signature] = try TallyRecord.decodeSums(bytes).slots
            }
            merged.merge(StatsTally(sums: [signature: slots]))
            if let slots = merged.sums[signature] {
                try access.putSideRecord(space, key: key, value: TallyRecord.encodeSums(signature, slots))
            } else {
                try access.removeSideRecord(space, key: key)
            }
        }
        for (cell, slots) in delta.farms {
            for (slot, counts) in slots {
                let key = TallyRecord.farmsKey(cell, slot)
                var merged = StatsTally()
                if let bytes = try access.sideRecord(space, key: key) {
                    merged.farms[cell] = [slot: try TallyRecord.decodeFarms(bytes).counts]
                }
                merged.merge(StatsTally(farms: [cell: [slot: counts]]))
                if let counts = merged.farms[cell]?[slot] {
                    try access.putSideRecord(space, key: key, value: TallyRecord.encodeFarms(cell, slot, counts))
                } else {
                    try access.removeSideRecord(space, key: key)
                }
            }
        }
        for (crop, label) in delta.crops {
            let key = TallyRecord.cropKey(crop)
            if let bytes = try access.sideRecord(space, key: key), try TallyRecord.decodeCrop(bytes).plot <= label.plot {
                continue
            }
            try access.putSideRecord(space, key: key, value: TallyRecord.encodeCrop(label))
        }
    }

    /// Starts the aggregate again from every plot and lot: the index's, overlaid by this batch's.
    private mutating func rebuild() throws {
        for kind in [DomainIndex.Kind.tally, .statlot, .statplot] { try access.clearSideRecords(DomainIndex.space(kind)) }
        delta = StatsTally()
        lotShares = [:]
        plotShares = [:]
        var plots: [String: PlotRecord] = try DomainIndex.loadAll(.plot, access)
        plots.merge(state.plots.records) { _, new in new }
        var lots: [String: LotRecord] = try DomainIndex.loadAll(.lot, access)
        lots.merge(state.lots.records) { _, new in new }
        lotCache = lots
        _ = try plotsChanged(Set(plots.keys))
        try lotsChanged(Set(lots.keys))
        try write()
    }
}
