import CanonicalJSON
public import Foundation

/// One published figure: a group of one dimension (a month, a commune, a crop, ...) or a total.
public struct StatsRow: Sendable, Equatable {
    /// "total", "role", "month", "province", "commune", "crop", "cooperative", "scheme" or "country".
    public let dimension: String
    public let key: String
    public let label: String
    /// Distinct member farms behind the figure (counted, never named).
    public var farms: Int
    public var plots: Int
    public var hectares: Decimal
    /// Harvests, lots, exports or parties, as the dimension says.
    public var count: Int
    public var kilograms: Decimal
    /// True when fewer than `Stats.threshold` farms are behind it: only the fact is published.
    public var suppressed: Bool
}

/// The programme at a glance, computed from every record of one state: counts and volumes by
/// month, province and commune, crop, cooperative, certification scheme and destination country.
/// The same records give the same figures, whether they come from the rules index or a replay.
/// A figure behind fewer than `threshold` farms is suppressed, and so is the next smallest of its
/// dimension when it would otherwise be the only one (a total minus the rest would reveal it).
public struct Stats: Sendable {
    /// The fewest farms a published figure may be about.
    public static let threshold = 3

    /// The checkpoint the figures were computed at: the ledger's size and its Merkle root.
    public let size: UInt64
    public let root: String
    public let filter: StatsFilter
    public let rows: [StatsRow]
    /// Of the exported kilograms, the share (0 to 1) whose lot or an ancestor holds a valid certification.
    public let certifiedShare: Decimal?
    /// The first and last harvest month covered, if any harvest is.
    public let firstMonth: String?
    public let lastMonth: String?

    /// The dimensions, in the order they are published.
    public static let dimensions = ["total", "role", "month", "province", "commune", "crop", "cooperative", "scheme", "country"]

    /// Computes the figures; throws `tooFewFarms` for a filter that covers, or leaves out, fewer
    /// than `threshold` farms (but some), since comparing it with the whole would single them out.
    public init(_ records: StatsRecords, root: String, filter: StatsFilter = .none) throws {
        let parties = Dictionary(records.parties.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let plots = Dictionary(records.plots.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let lots = Dictionary(records.lots.map { ($0.code.key, $0) }, uniquingKeysWith: { a, _ in a })
        let unknown = "?"

        func place(_ plot: PlotRecord) -> (province: String, commune: String) {
            let address = parties[plot.cooperative]?.address
            return (address?.province ?? unknown, address.map { "\($0.commune), \($0.province)" } ?? unknown)
        }
        func month(_ lot: LotRecord) -> String { String((lot.harvested ?? unknown).prefix(7)) }

        // The harvest lots each lot was made from (itself, for a harvest), voided lots aside.
        var origins: [String: Set<String>] = [:]
        func origin(_ key: String) -> Set<String> {
            if let known = origins[key] { return known }
            guard let lot = lots[key], lot.status != .voided else { return [] }
            origins[key] = []  // a cycle cannot happen, but must not recurse for ever
            let found: Set<String> =
                lot.plot != nil ? [key] : lot.parents.reduce(into: Set<String>()) { $0.formUnion(origin($1)) }
            origins[key] = found
            return found
        }
        var certifiedMemo: [String: Bool] = [:]
        func certified(_ key: String) -> Bool {
            if let known = certifiedMemo[key] { return known }
            guard let lot = lots[key] else { return false }
            certifiedMemo[key] = false
            let found = lot.certifications.contains { !$0.voided } || lot.parents.contains { certified($0) }
            certifiedMemo[key] = found
            return found
        }
        // Harvests the filter covers, with the farm behind each.
        var covered: [String: String] = [:]
        var allFarms: Set<String> = []
        for lot in records.lots where lot.plot != nil && lot.status != .voided {
            guard let plot = plots[lot.plot!] else { continue }
            allFarms.insert(plot.farm)
            if filter.covers(crop: plot.crop, month: month(lot)) { covered[lot.code.key] = plot.farm }
        }
        let coveredPlots = records.plots.filter { filter.covers(crop: $0.crop, month: nil) }
        allFarms.formUnion(records.plots.map(\.farm))
        let inScope = Set(covered.values).union(filter.from == nil && filter.to == nil ? coveredPlots.map(\.farm) : [])
        try Self.refuseIsolating(filter, inScope: inScope.count, left: allFarms.subtracting(inScope).count)
        func farms(of key: String) -> Set<String> { Set(origin(key).compactMap { covered[$0] }) }

        var groups: [String: [String: StatsRow]] = [:]
        var farmSets: [String: [String: Set<String>]] = [:]
        func add(
            _ dimension: String, _ key: String, _ label: String, farms: Set<String>, plots: Int = 0, hectares: Decimal = 0,
            count: Int = 0, kilograms: Decimal = 0
        ) {
            var row =
                groups[dimension]?[key]
                ?? StatsRow(
                    dimension: dimension, key: key, label: label, farms: 0, plots: 0, hectares: 0, count: 0, kilograms: 0,
                    suppressed: false)
            row.plots += plots
            row.hectares += hectares
            row.count += count
            row.kilograms += kilograms
            groups[dimension, default: [:]][key] = row
            farmSets[dimension, default: [:]][key, default: []].formUnion(farms)
        }
        func cooperativeLabel(_ id: String) -> String { parties[id]?.name ?? id }

        for plot in coveredPlots {
            let (province, commune) = place(plot)
            let farm: Set<String> = [plot.farm]
            add("total", "plots", "plots", farms: farm, plots: 1, hectares: plot.areaHa)
            add("province", province, province, farms: farm, plots: 1, hectares: plot.areaHa)
            add("commune", commune, commune, farms: farm, plots: 1, hectares: plot.areaHa)
            add("crop", plot.crop.lowercased(), plot.crop, farms: farm, plots: 1, hectares: plot.areaHa)
            add("cooperative", plot.cooperative, cooperativeLabel(plot.cooperative), farms: farm, plots: 1, hectares: plot.areaHa)
        }
        var firstMonth: String?
        var lastMonth: String?
        var exportedKg: Decimal = 0
        var certifiedKg: Decimal = 0
        var processing: Set<UInt64> = []
        for lot in records.lots where lot.status != .voided {
            let key = lot.code.key
            let behind = farms(of: key)
            if behind.isEmpty { continue }
            if let plotID = lot.plot, let plot = plots[plotID] {
                let (province, commune) = place(plot)
                let m = month(lot)
                firstMonth = min(firstMonth ?? m, m)
                lastMonth = max(lastMonth ?? m, m)
                let kg = lot.produced.kilograms
                add("total", "harvests", "harvests", farms: behind, count: 1, kilograms: kg)
                add("month", m, m, farms: behind, count: 1, kilograms: kg)
                add("province", province, province, farms: behind, count: 1, kilograms: kg)
                add("commune", commune, commune, farms: behind, count: 1, kilograms: kg)
                add("crop", plot.crop.lowercased(), plot.crop, farms: behind, count: 1, kilograms: kg)
                add("cooperative", plot.cooperative, cooperativeLabel(plot.cooperative), farms: behind, count: 1, kilograms: kg)
            } else {
                processing.insert(lot.createdSeq)
                add("total", "processed-lots", "processed lots", farms: behind, count: 1, kilograms: lot.produced.kilograms)
            }
            for scheme in Set(lot.certifications.filter { !$0.voided }.map(\.scheme)) {
                add("scheme", scheme, scheme, farms: behind, count: 1, kilograms: lot.produced.kilograms)
            }
            if !lot.certifications.filter({ !$0.voided }).isEmpty {
                add("total", "certified-lots", "certified lots", farms: behind, count: 1, kilograms: lot.produced.kilograms)
            }
            if lot.status == .exported, let export = lot.export {
                add("total", "exports", "exports", farms: behind, count: 1, kilograms: lot.held.kilograms)
                add("country", export.country, export.country, farms: behind, count: 1, kilograms: lot.held.kilograms)
                exportedKg += lot.held.kilograms
                if certified(key) {
                    certifiedKg += lot.held.kilograms
                    add("total", "certified-exports", "certified exports", farms: behind, count: 1, kilograms: lot.held.kilograms)
                }
            }
            if !lot.holds.isEmpty { add("total", "lots-on-hold", "lots on hold", farms: behind, count: 1) }
        }
        self.init(
            size: records.size, root: root, filter: filter, groups: groups,
            farmCounts: farmSets.mapValues { $0.mapValues(\.count) }, scopeFarms: inScope.count,
            processingEntries: processing.count, parties: records.parties, openRecalls: records.openRecalls,
            firstMonth: firstMonth, lastMonth: lastMonth, exportedKg: exportedKg, certifiedKg: certifiedKg)
    }

    /// Refuses a filter that covers, or leaves out, fewer than `threshold` farms (but some).
    static func refuseIsolating(_ filter: StatsFilter, inScope: Int, left: Int) throws {
        guard !filter.isEmpty else { return }
        if (1..<Self.threshold).contains(inScope) || (1..<Self.threshold).contains(left) {
            throw DomainError(
                .tooFewFarms,
                "this filter (crop \(filter.crop ?? "any"), \(filter.from ?? "start") to \(filter.to ?? "now")) would single out fewer than \(Self.threshold) farms; widen it"
            )
        }
    }

    /// The published rows from the groups a computation added up: the party figures first, then
    /// each dimension sorted by key, with small figures suppressed.
    init(
        size: UInt64, root: String, filter: StatsFilter, groups: [String: [String: StatsRow]],
        farmCounts: [String: [String: Int]], scopeFarms: Int, processingEntries: Int, parties: [PartyRecord],
        openRecalls: Int, firstMonth: String?, lastMonth: String?, exportedKg: Decimal, certifiedKg: Decimal
    ) {
        self.size = size
        self.root = root
        self.filter = filter
        self.firstMonth = firstMonth
        self.lastMonth = lastMonth
        // Figures about parties say nothing about one farm's harvest: they are never suppressed.
        var rows: [StatsRow] = []
        func plain(_ dimension: String, _ key: String, count: Int, farms: Int = 0) -> StatsRow {
            StatsRow(
                dimension: dimension, key: key, label: key, farms: farms, plots: 0, hectares: 0, count: count, kilograms: 0,
                suppressed: false)
        }
        rows.append(plain("total", "parties", count: parties.count))
        rows.append(plain("total", "farms", count: scopeFarms, farms: scopeFarms))
        rows.append(plain("total", "processing-entries", count: processingEntries))
        rows.append(plain("total", "open-recalls", count: openRecalls))
        for role in Role.allCases where role != .operator {
            rows.append(plain("role", role.rawValue, count: parties.filter { $0.roles.contains(role) }.count))
        }
        for dimension in Self.dimensions {
            var list = (groups[dimension] ?? [:]).values.map { row -> StatsRow in
                var row = row
                row.farms = farmCounts[dimension]?[row.key] ?? 0
                row.suppressed = (1..<Self.threshold).contains(row.farms)
                return row
            }
            list.sort { $0.key < $1.key }
            // A lone suppressed group can be read off the total: suppress the next smallest too.
            if dimension != "total", list.filter(\.suppressed).count == 1,
                let next = list.indices.filter({ !list[$0].suppressed }).min(by: { list[$0].farms < list[$1].farms })
            {
                list[next].suppressed = true
            }
            rows += list
        }
        if exportedKg > 0 { certifiedShare = certifiedKg / exportedKg } else { certifiedShare = nil }
        self.rows = rows.map { row in
            guard row.suppressed else { return row }
            return StatsRow(
                dimension: row.dimension, key: row.key, label: row.label, farms: 0, plots: 0, hectares: 0, count: 0, kilograms: 0,
                suppressed: true)
        }
    }

    /// The rows of one dimension.
    public func rows(_ dimension: String) -> [StatsRow] { rows.filter { $0.dimension == dimension } }

    /// The total named `key`, if any.
    public func total(_ key: String) -> StatsRow? { rows.first { $0.dimension == "total" && $0.key == key } }
}
