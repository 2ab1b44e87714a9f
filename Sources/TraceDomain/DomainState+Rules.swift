import CanonicalJSON
public import Foundation
import TraceLedger

/// The operator's limits (`rules.*` events) and the checks they and the adopted rules make.
/// Each applies from the entry that sets it: replay meets the entries in order, so an entry is
/// checked against the limits in force when it was appended, never against later ones.
extension DomainState {
    /// A point plot may declare at most this many hectares (EUDR asks for a polygon above).
    public static let pointLimitHa: Decimal = 4
    /// A polygon's declared area may differ from its computed area by at most this share.
    public static let areaTolerance = 0.15
    static let dayMs: Int64 = 86_400_000

    mutating func setCropCap(_ ctx: EventContext, _ e: TraceEvent.CropCap) throws {
        let (crop, kgPerHa, window) = (e.crop, e.kgPerHa, e.windowDays)
        rules.cropCaps[OperatorRules.fold(crop)] = CropCap(crop: crop, kgPerHa: kgPerHa, windowDays: window, seq: ctx.seq)
        rules.entries.append(ctx.seq)
    }

    mutating func setProcessCap(_ ctx: EventContext, _ e: TraceEvent.ProcessCap) throws {
        let (process, yield, product) = (e.process, e.yield, e.product)
        let key = OperatorRules.fold(process) + "|" + (product.map(OperatorRules.fold) ?? "")
        rules.processCaps[key] = ProcessCap(process: process, product: product, yield: yield, seq: ctx.seq)
        rules.entries.append(ctx.seq)
    }

    mutating func requireCodes(_ ctx: EventContext, _ e: TraceEvent.RequireCodes) throws {
        let (crop, destination) = (e.crop, e.destination)
        rules.codeRequirements[OperatorRules.fold(crop) + "|" + destination] = CodeRequirement(
            crop: crop, destination: destination, seq: ctx.seq)
        rules.entries.append(ctx.seq)
    }

    mutating func adoptRules(_ ctx: EventContext, _ e: TraceEvent.AdoptRules) throws {
        let days = e.maxBackdateDays ?? rules.maxBackdateDays
        if rules.adoptedSeq == nil { rules.adoptedSeq = ctx.seq }
        if rules.wholeMilligramsSeq == nil,
            OperatorRules.release(e.release, isAtLeast: OperatorRules.wholeMilligramsRelease)
        {
            rules.wholeMilligramsSeq = ctx.seq
        }
        rules.maxBackdateDays = days
        rules.entries.append(ctx.seq)
    }

    // MARK: checks made by other events

    /// Once release 2026.12's rules are adopted, every quantity is a whole number of milligrams:
    /// finer ones were stored as written but shown and exported rounded to the milligram, so one
    /// lot read as two amounts (docs/RELIABILITY.md, the fuzzer's `fields` finding).
    func requireWholeMilligrams(_ ctx: EventContext, _ kind: TraceEvent.Kind) throws {
        guard rules.wholeMilligramsSeq != nil else { return }
        func lines(_ key: String, _ lines: [TraceEvent.Line]) -> [(String, Mass)] {
            lines.enumerated().map { ("\(key)[\($0.offset)].quantity", $0.element.mass) }
        }
        let masses: [(String, Mass)]
        switch kind {
        case .harvest(let e): masses = [("quantity", e.mass)]
        case .transform(let e): masses = lines("inputs", e.inputs) + lines("outputs", e.outputs)
        case .split(let e): masses = lines("outputs", e.outputs)
        default: return
        }
        for (field, mass) in masses where !mass.isWholeMilligrams {
            throw DomainError(
                .badInput,
                "event \(ctx.id): \(field): \(Mass.exact(mass.kilograms)) kg is finer than a milligram; give at most 6 decimal places in kg (3 in g), under the rules adopted at entry \(rules.wholeMilligramsSeq ?? 0)"
            )
        }
    }

    /// Once adopted and once the operator caps any crop, a plot's crop must be a capped one: a crop
    /// nobody capped (or another spelling of one, "lúa " or "lua") would let its harvests go unchecked.
    func checkCropCapped(_ crop: String, field: String, _ ctx: EventContext) throws {
        guard rules.adopted, !rules.cropCaps.isEmpty, rules.cropCap(crop) == nil else { return }
        throw DomainError(
            .noCap,
            "event \(ctx.id): \(field) \"\(crop)\" has no crop cap; once the rules are adopted a plot's crop must be one the operator capped (trace rules set-crop-cap), so that no harvest goes unchecked"
        )
    }

    /// Once adopted, a harvest is of its plot's crop: a plot registered for a generous crop cannot
    /// yield another crop under that crop's cap.
    func checkHarvestProduct(_ product: String, plot: PlotRecord, _ ctx: EventContext) throws {
        guard rules.adopted, OperatorRules.fold(product) != OperatorRules.fold(plot.crop) else { return }
        throw DomainError(
            .badInput,
            "event \(ctx.id): product \"\(product)\" is not plot \(plot.id)'s crop \"\(plot.crop)\"; a plot yields the crop it is registered for (amend the plot first)"
        )
    }

    /// The adopted checks of a plot's declared area against its geometry.
    func checkPlotArea(id plotID: String, area: Decimal, geometry: PlotGeometry, _ ctx: EventContext) throws {
        guard rules.adopted else { return }
        if geometry.kind == .point {
            guard area <= Self.pointLimitHa else {
                throw DomainError(
                    .areaMismatch,
                    "event \(ctx.id): plot \(plotID) declares \(Mass.plain(area)) ha with only a point; above 4 ha a plot needs a polygon (EUDR)"
                )
            }
            return
        }
        let computed = GeodesicArea.hectares(geometry) ?? 0
        let declared = NSDecimalNumber(decimal: area).doubleValue
        guard abs(declared - computed) <= Self.areaTolerance * computed else {
            throw DomainError(
                .areaMismatch,
                "event \(ctx.id): plot \(plotID) declares \(Mass.plain(area)) ha, but its polygon measures \(String(format: "%.4f", computed)) ha; the declared area must be within 15% of it"
            )
        }
    }

    /// The claim a harvest makes against its plot's crop cap, after checking the backdating
    /// limit and that the cap holds in every window containing the harvest's day.
    func checkHarvest(plot: PlotRecord, lot: String, mass: Mass, harvestedMs: Int64, _ ctx: EventContext) throws
        -> HarvestClaim?
    {
        let day = Self.floorDiv(harvestedMs, Self.dayMs)
        if rules.adopted, let recorded = ctx.recordedMs {
            let recordedDay = Self.floorDiv(recorded, Self.dayMs)
            guard recordedDay - day <= Int64(rules.maxBackdateDays) else {
                throw DomainError(
                    .badTime,
                    "event \(ctx.id): harvested \(Self.date(day)) is \(recordedDay - day) days before it is recorded (\(Self.date(recordedDay))); a harvest may be dated at most \(rules.maxBackdateDays) days back"
                )
            }
        }
        // Most ledgers have no caps: folding the crop on every harvest would cost replay time.
        guard !rules.cropCaps.isEmpty, let cap = rules.cropCap(plot.crop) else { return nil }
        let crop = OperatorRules.fold(plot.crop)
        let claim = HarvestClaim(lot: lot, day: day, kilograms: mass.kilograms, crop: crop, seq: ctx.seq)
        let counted = plot.claims.filter { $0.crop == crop }
        let allowed = cap.kgPerHa * plot.areaHa
        let w = Int64(cap.windowDays)
        // Of the windows containing this day, a sum only rises (as the start moves later) where a
        // harvest dated after this one enters: the earliest start and those entry points cover
        // them all. Harvests arrive out of date order (backdating, tomorrow's recorded first).
        var starts: Set<Int64> = [day - w + 1]
        for c in counted where c.day > day && c.day < day + w { starts.insert(c.day - w + 1) }
        for start in starts.sorted() {
            let end = start + w - 1
            let recorded = counted.filter { $0.day >= start && $0.day <= end }.reduce(Decimal(0)) { $0 + $1.kilograms }
            guard recorded + mass.kilograms <= allowed else {
                let left = max(0, allowed - recorded)
                throw DomainError(
                    .capExceeded,
                    "event \(ctx.id): plot \(plot.id) (\(Mass.plain(plot.areaHa)) ha of \(plot.crop)) may yield at most \(Mass(kilograms: allowed)) from \(Self.date(start)) to \(Self.date(end)) (cap \(Mass.grouped(cap.kgPerHa)) kg/ha per \(cap.windowDays) days, entry \(cap.seq)); \(Mass(kilograms: recorded)) is already recorded there, \(Mass(kilograms: left)) is left, and this harvest claims \(mass)"
                )
            }
        }
        return claim
    }

    /// The operator's process caps on a transform: each output is governed by its product's cap
    /// or the process's, and the outputs one cap governs may not exceed the inputs times it.
    func checkProcessCaps(
        process: String, inTotal: Mass, outputs: [TraceEvent.Line], _ ctx: EventContext
    )
        throws
    {
        guard rules.adopted || !rules.processCaps.isEmpty else { return }
        var governed: [String: (cap: ProcessCap, mass: Mass)] = [:]
        for output in outputs {
            let product = output.product ?? ""
            guard let cap = rules.bindingProcessCap(process: process, product: product) else {
                guard !rules.adopted else {
                    throw DomainError(
                        .noCap,
                        "event \(ctx.id): the operator has set no yield cap for process \"\(process)\" making \"\(product)\"; a transform needs one (trace rules set-process-cap)"
                    )
                }
                continue
            }
            let key = OperatorRules.fold(cap.process) + "|" + (cap.product.map(OperatorRules.fold) ?? "")
            governed[key] = (cap, (governed[key]?.mass ?? .zero) + output.mass)
        }
        for (_, g) in governed.sorted(by: { $0.key < $1.key }) {
            let most = Mass(kilograms: inTotal.kilograms * g.cap.yield)
            guard g.mass.kilograms <= most.kilograms else {
                throw DomainError(
                    .capExceeded,
                    "event \(ctx.id): \(process) of \(inTotal) may yield at most \(most) of \(g.cap.product ?? "any product") (operator's cap \(Mass.plain(g.cap.yield)), entry \(g.cap.seq)); the outputs claim \(g.mass)"
                )
            }
        }
    }

    /// The adopted checks of an export's country and container, and the codes the operator requires.
    func checkExport(lot: LotRecord, country: String, container: String, _ ctx: EventContext) throws {
        guard rules.adopted || !rules.codeRequirements.isEmpty else { return }
        if rules.adopted {
            guard Identifiers.isCountry(country) else {
                throw DomainError(
                    .badInput, "event \(ctx.id): country \"\(country)\" is not an assigned ISO 3166-1 alpha-2 code")
            }
            guard Identifiers.isContainer(container) else {
                throw DomainError(
                    .badInput,
                    "event \(ctx.id): container \"\(container)\" is not an ISO 6346 container number (4 letters ending in U, J or Z, 6 digits and the check digit\(Identifiers.containerCheckDigit(container).map { "; its check digit would be \($0)" } ?? ""))"
                )
            }
        }
        guard !rules.codeRequirements.isEmpty else { return }
        let lineage = upstream(of: lot.code.key).compactMap { lots[$0] }
        let plotIDs = Set(lineage.compactMap(\.plot)).sorted()
        var needed: CodeRequirement?
        for id in plotIDs {
            guard let plot = plots[id], let requirement = rules.needsCodes(crop: plot.crop, country: country) else { continue }
            needed = requirement
            guard plot.growingAreaCode != nil else {
                throw DomainError(
                    .codeMissing,
                    "event \(ctx.id): exports of \(requirement.crop) to \(country) need growing-area codes (entry \(requirement.seq)); plot \(id) has none (trace plot amend --growing-area-code)"
                )
            }
        }
        guard let requirement = needed else { return }
        let holders = Set(lineage.flatMap(\.custodians)).sorted()
        for id in holders {
            guard let party = parties[id], party.roles.contains(.processor) else { continue }
            guard party.packhouseCode != nil else {
                throw DomainError(
                    .codeMissing,
                    "event \(ctx.id): exports of \(requirement.crop) to \(country) need packhouse codes (entry \(requirement.seq)); processor \(id) has none (trace party amend --packhouse-code)"
                )
            }
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Days since 1970-01-01 as YYYY-MM-DD.
    static func date(_ day: Int64) -> String { String(Timestamp.format(milliseconds: day * dayMs).prefix(10)) }
}
