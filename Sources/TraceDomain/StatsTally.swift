import Foundation

/// One origin cell of the running aggregate: a crop (lower-cased) and a harvest month ("YYYY-MM"),
/// or no month for the plots of that crop. A filter by crop and period covers whole cells, so
/// every filtered figure is a sum over cells.
struct StatsCell: Hashable, Comparable, Sendable {
    let crop: String
    let month: String?

    static func < (a: StatsCell, b: StatsCell) -> Bool {
        (a.crop, a.month == nil ? 0 : 1, a.month ?? "") < (b.crop, b.month == nil ? 0 : 1, b.month ?? "")
    }
}

/// Where a figure is added up: a published dimension and key, or `h` (harvests) and `p` (plots)
/// with a cooperative's id, from which the month, province, commune, crop and cooperative rows are made.
struct StatsSlot: Hashable, Comparable, Sendable {
    let dimension: String
    let key: String

    static func < (a: StatsSlot, b: StatsSlot) -> Bool { (a.dimension, a.key) < (b.dimension, b.key) }

    static let harvests = "h"
    static let plots = "p"
    /// Counts transform, split and merge entries (once each, at the entry's first output); no farms.
    static let processingEntries = StatsSlot(dimension: "total", key: "processing-entries")
}

/// Counts and volumes added up in one slot.
struct StatsTotals: Sendable, Equatable {
    var count = 0
    var plots = 0
    var kilograms: Decimal = 0
    var hectares: Decimal = 0

    var isZero: Bool { count == 0 && plots == 0 && kilograms == 0 && hectares == 0 }

    static func += (a: inout StatsTotals, b: StatsTotals) {
        a.count += b.count
        a.plots += b.plots
        a.kilograms += b.kilograms
        a.hectares += b.hectares
    }

    func scaled(_ sign: Int) -> StatsTotals {
        StatsTotals(
            count: count * sign, plots: plots * sign, kilograms: kilograms * Decimal(sign), hectares: hectares * Decimal(sign))
    }
}

/// A harvest a lot was made from, as the figures see it: its cell and its farm.
struct StatsOrigin: Hashable, Comparable, Sendable {
    let cell: StatsCell
    let farm: String

    static func < (a: StatsOrigin, b: StatsOrigin) -> Bool { (a.cell, a.farm) < (b.cell, b.farm) }
}

/// What one lot adds to the aggregate, kept beside it so that a change takes out exactly what
/// was put in.
struct LotShare: Sendable, Equatable {
    /// The entry that made the lot: a voided harvest's code used again makes a new lot.
    let createdSeq: UInt64
    /// The distinct (cell, farm) pairs of the harvests the lot was made from, sorted; none when voided.
    let origins: [StatsOrigin]
    /// Whether the lot itself holds a certification not voided (its exported descendants'
    /// figures change with it).
    let selfCertified: Bool
    let slots: [Slotted]

    struct Slotted: Sendable, Equatable {
        let slot: StatsSlot
        let totals: StatsTotals
    }

    /// The sorted distinct cells of the origins: a filter counts the lot when it covers one.
    var signature: [StatsCell] { Array(Set(origins.map(\.cell))).sorted() }
}

/// What one plot adds to the aggregate.
struct PlotShare: Sendable, Equatable {
    /// The crop as written (its lower-cased form is the cell).
    let crop: String
    let cooperative: String
    let farm: String
    let hectares: Decimal
}

/// The lowest plot id with a crop, and the crop as that plot writes it: the crop row's label.
struct CropLabel: Sendable, Equatable {
    let plot: String
    let label: String
}

/// The running aggregate behind `trace stats` and `/stats`: counts and volumes by signature (the
/// cells a lot's harvests fall in) and slot, and the farms behind each slot within each cell,
/// each with the number of counted items it is behind. A filter's figures are sums over the
/// signatures it covers, and a figure's farms the union of the farms of the cells it covers;
/// keeping the number of items behind each farm lets a change take a farm out again.
struct StatsTally: Sendable, Equatable {
    var sums: [[StatsCell]: [StatsSlot: StatsTotals]] = [:]
    var farms: [StatsCell: [StatsSlot: [String: Int]]] = [:]
    var crops: [String: CropLabel] = [:]

    /// Adds (`sign` 1) or takes out (-1) a lot's share.
    mutating func add(_ share: LotShare, sign: Int) {
        let signature = share.signature
        guard !signature.isEmpty else { return }
        for slotted in share.slots {
            sums[signature, default: [:]][slotted.slot, default: StatsTotals()] += slotted.totals.scaled(sign)
            guard slotted.slot != StatsSlot.processingEntries else { continue }
            for origin in share.origins {
                farms[origin.cell, default: [:]][slotted.slot, default: [:]][origin.farm, default: 0] += sign
            }
        }
    }

    /// Adds (`sign` 1) or takes out (-1) a plot's share.
    mutating func add(_ share: PlotShare, sign: Int) {
        let cell = StatsCell(crop: share.crop.lowercased(), month: nil)
        let slot = StatsSlot(dimension: StatsSlot.plots, key: share.cooperative)
        sums[[cell], default: [:]][slot, default: StatsTotals()] += StatsTotals(plots: 1, hectares: share.hectares).scaled(sign)
        farms[cell, default: [:]][slot, default: [:]][share.farm, default: 0] += sign
    }

    /// Offers a plot as the crop row's label: the lowest plot id of a crop gives it.
    mutating func offer(label: String, plot: String) {
        let key = label.lowercased()
        if let known = crops[key], known.plot <= plot { return }
        crops[key] = CropLabel(plot: plot, label: label)
    }

    /// Adds another tally (a batch's changes) to this one, dropping what came to nothing.
    mutating func merge(_ other: StatsTally) {
        for (signature, slots) in other.sums {
            for (slot, totals) in slots {
                var sum = sums[signature]?[slot] ?? StatsTotals()
                sum += totals
                sums[signature, default: [:]][slot] = sum.isZero ? nil : sum
            }
            if sums[signature]?.isEmpty == true { sums[signature] = nil }
        }
        for (cell, slots) in other.farms {
            for (slot, counts) in slots {
                var merged = farms[cell]?[slot] ?? [:]
                for (farm, n) in counts {
                    let total = (merged[farm] ?? 0) + n
                    merged[farm] = total == 0 ? nil : total
                }
                farms[cell, default: [:]][slot] = merged.isEmpty ? nil : merged
            }
            if farms[cell]?.isEmpty == true { farms[cell] = nil }
        }
        for label in other.crops.values { offer(label: label.label, plot: label.plot) }
    }
}
