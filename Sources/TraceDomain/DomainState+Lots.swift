import CanonicalJSON
import Foundation
import TraceCrypto
import TraceLedger

/// Roles that hold goods and so may transform, split, merge and ship them.
let handlingRoles: Set<Role> = [.cooperative, .farm, .processor, .exporter]

extension DomainState {
    mutating func harvest(_ ctx: EventContext, _ e: TraceEvent.Harvest) throws {
        let code = e.lot
        if let old = lots[code.key], !mayReuse(old, ctx) {
            throw DomainError(
                .lotExists, "event \(ctx.id): lot code \(code) is already used by another lot; lot codes are unique")
        }
        let product = e.product
        let mass = e.mass
        let plotID = e.plot
        guard let plot = plots[plotID] else { throw DomainError(.unknownPlot, "event \(ctx.id): there is no plot \(plotID)") }
        guard plot.cooperative == ctx.actor.id || plot.farm == ctx.actor.id else {
            throw DomainError(
                .roleNotAllowed,
                "event \(ctx.id): plot \(plotID) belongs to \(plot.farm) of \(plot.cooperative), not to \(ctx.actor.id)")
        }
        let harvested = e.harvested
        let day = e.harvestedMs
        try checkHarvestProduct(product, plot: plot, ctx)
        let claim = try checkHarvest(plot: plot, lot: code.key, mass: mass, harvestedMs: day, ctx)
        if let claim { plots[plotID]!.claims.append(claim) }
        lots[code.key] = LotRecord(
            code: code, product: product, produced: mass, held: mass, custodian: ctx.actor.id, status: .active,
            createdSeq: ctx.seq, lastTimeMs: ctx.timeMs, plot: plotID, harvested: harvested, parents: [], children: [],
            entries: [ctx.seq], certifications: [], holds: [], custodians: [ctx.actor.id], export: nil)
        pendingEffect = .created(lot: code.key)
    }

    /// Once the rules are adopted, a voided harvest's code may be used again by the party that
    /// harvested it, if that lot never did anything but be harvested and voided: it never left
    /// its first holder and was never certified, labelled (exported) or transformed.
    func mayReuse(_ old: LotRecord, _ ctx: EventContext) -> Bool {
        rules.adopted && old.status == .voided && old.plot != nil && old.entries.count == 2
            && old.custodians == [ctx.actor.id] && old.certifications.isEmpty && old.export == nil && old.children.isEmpty
    }

    /// Checks that the actor may act on `lot` now, and that the event is not older than the lot.
    func requireActive(_ lot: LotRecord, _ ctx: EventContext, _ action: String) throws {
        switch lot.status {
        case .voided: throw DomainError(.lotNotActive, "event \(ctx.id): lot \(lot.code) was voided")
        case .exported: throw DomainError(.lotNotActive, "event \(ctx.id): lot \(lot.code) was already exported")
        case .inTransit(let to, _):
            throw DomainError(.lotNotActive, "event \(ctx.id): lot \(lot.code) is in transit to \(to); it must be received first")
        case .active: break
        }
        guard lot.custodian == ctx.actor.id else {
            throw DomainError(
                .notCustodian,
                "event \(ctx.id): \(ctx.actor.id) cannot \(action) lot \(lot.code): its custodian is \(lot.custodian)")
        }
        guard ctx.timeMs >= lot.lastTimeMs else {
            throw DomainError(
                .badTime,
                "event \(ctx.id): its time is before lot \(lot.code)'s last event (\(Timestamp.format(milliseconds: lot.lastTimeMs)))"
            )
        }
    }

    /// What shipping and exporting need beyond `requireActive`: no recall hold, and goods left.
    func requireMovable(_ lot: LotRecord, _ ctx: EventContext, _ action: String, until: String) throws {
        try requireActive(lot, ctx, action)
        guard lot.holds.isEmpty else {
            throw DomainError(
                .onHold,
                "event \(ctx.id): lot \(lot.code) is on hold by recall entry \(lot.holds.sorted().map(String.init).joined(separator: ", ")); \(until)"
            )
        }
        guard lot.held > .zero else {
            throw DomainError(
                .lotNotActive,
                "event \(ctx.id): lot \(lot.code) holds nothing: it was used up by its last transform, split or merge")
        }
    }

    /// Takes `mass` out of each input lot, refusing to give out more than a lot holds.
    mutating func draw(_ inputs: [TraceEvent.Line], _ ctx: EventContext, _ action: String) throws
        -> [Drawn]
    {
        var drawn: [String: Mass] = [:]
        for input in inputs {
            let lot = try requireLot(input.lot, field: "inputs", id: ctx.id)
            try requireActive(lot, ctx, action)
            let total = (drawn[lot.code.key] ?? .zero) + input.mass
            guard total <= lot.held else {
                throw DomainError(
                    .overdrawn, "event \(ctx.id): lot \(lot.code) holds \(lot.held); this \(action) asks for \(total)")
            }
            drawn[lot.code.key] = total
        }
        // One change in place per lot (`RecordTable`'s modify), not a copy out and back per field.
        func take(_ mass: Mass, from lot: inout LotRecord) {
            lot.held = lot.held - mass
            lot.entries.append(ctx.seq)
            lot.lastTimeMs = ctx.timeMs
        }
        for (key, mass) in drawn { take(mass, from: &lots[key]!) }
        return inputs.map { Drawn(lot: $0.lot.key, mass: $0.mass) }
    }

    /// Throws unless every code is new and appears once: checked before anything is drawn.
    func requireNew(_ codes: [LotCode], _ ctx: EventContext) throws {
        var seen: Set<String> = []
        for code in codes where lots[code.key] != nil || !seen.insert(code.key).inserted {
            throw DomainError(.lotExists, "event \(ctx.id): lot code \(code) is already used; lot codes are unique")
        }
    }

    /// Creates output lots held by the actor, made from `parents`.
    mutating func create(
        _ outputs: [TraceEvent.Line], product fallback: String, parents: [String],
        _ ctx: EventContext
    ) throws -> [String] {
        var made: [String] = []
        for output in outputs {
            guard lots[output.lot.key] == nil, !made.contains(output.lot.key) else {
                throw DomainError(.lotExists, "event \(ctx.id): lot code \(output.lot) is already used; lot codes are unique")
            }
            lots[output.lot.key] = LotRecord(
                code: output.lot, product: output.product ?? fallback, produced: output.mass, held: output.mass,
                custodian: ctx.actor.id, status: .active, createdSeq: ctx.seq, lastTimeMs: ctx.timeMs, plot: nil, harvested: nil,
                parents: parents, children: [], entries: [ctx.seq], certifications: [],
                // What is made from a held lot is held by the same recall.
                holds: parents.reduce(into: Set<UInt64>()) { $0.formUnion(lots[$1]?.holds ?? []) }, custodians: [ctx.actor.id],
                export: nil)
            made.append(output.lot.key)
        }
        for parent in Set(parents) { lots[parent]!.children.append(contentsOf: made) }
        return made
    }

    mutating func transform(_ ctx: EventContext, _ e: TraceEvent.Transform) throws {
        let process = e.process
        let inputs = e.inputs
        let outputs = e.outputs
        let limit = e.yieldLimit
        let limitText = e.yieldLimitText
        let inTotal = inputs.reduce(Mass.zero) { $0 + $1.mass }
        let outTotal = outputs.reduce(Mass.zero) { $0 + $1.mass }
        guard outTotal.kilograms <= inTotal.kilograms * limit else {
            throw DomainError(
                .yieldExceeded,
                "event \(ctx.id): \(process) of \(inTotal) may yield at most \(Mass(kilograms: inTotal.kilograms * limit)) (yield limit \(limitText)); the outputs claim \(outTotal)"
            )
        }
        guard outputs.allSatisfy({ $0.product != nil }) else {
            throw DomainError(.badInput, "event \(ctx.id): each output of a transform names its \"product\"")
        }
        try checkProcessCaps(process: process, inTotal: inTotal, outputs: outputs, ctx)
        try requireNew(outputs.map(\.lot), ctx)
        let drawn = try draw(inputs, ctx, process)
        let made = try create(outputs, product: "", parents: drawn.map(\.lot), ctx)
        pendingEffect = .converted(inputs: drawn, outputs: made)
    }

    mutating func split(_ ctx: EventContext, _ e: TraceEvent.Split) throws {
        let source = try requireLot(e.lot, field: "lot", id: ctx.id)
        let outputs = e.outputs
        let total = outputs.reduce(Mass.zero) { $0 + $1.mass }
        try requireNew(outputs.map(\.lot), ctx)
        let drawn = try draw([TraceEvent.Line(lot: source.code, mass: total, product: nil)], ctx, "split")
        let made = try create(
            outputs.map { TraceEvent.Line(lot: $0.lot, mass: $0.mass, product: source.product) }, product: source.product,
            parents: [source.code.key], ctx)
        pendingEffect = .converted(inputs: drawn, outputs: made)
    }

    mutating func merge(_ ctx: EventContext, _ e: TraceEvent.Merge) throws {
        let sources = try e.inputs.enumerated().map { i, code in
            try requireLot(code, field: "inputs[\(i)].lot", id: ctx.id)
        }
        let products = Set(sources.map(\.product))
        guard products.count == 1 else {
            throw DomainError(
                .badInput,
                "event \(ctx.id): only lots of one product merge; these are \(products.sorted().joined(separator: ", ")) (use transform)"
            )
        }
        // A used-up lot has nothing to give, and a lot named twice would be merged with itself.
        if let empty = sources.first(where: { $0.held == .zero }) {
            throw DomainError(.overdrawn, "event \(ctx.id): lot \(empty.code) is used up (it holds 0 kg); it cannot be merged")
        }
        if Set(sources.map(\.code.key)).count != sources.count {
            throw DomainError(.badInput, "event \(ctx.id): a merge names each input lot once")
        }
        let code = e.output
        let total = sources.reduce(Mass.zero) { $0 + $1.held }
        try requireNew([code], ctx)
        let drawn = try draw(sources.map { TraceEvent.Line(lot: $0.code, mass: $0.held, product: nil) }, ctx, "merge")
        let made = try create(
            [TraceEvent.Line(lot: code, mass: total, product: sources[0].product)], product: sources[0].product,
            parents: drawn.map(\.lot), ctx)
        pendingEffect = .converted(inputs: drawn, outputs: made)
    }

    mutating func ship(_ ctx: EventContext, _ e: TraceEvent.Ship) throws {
        var lot = try requireLot(e.lot, field: "lot", id: ctx.id)
        try requireMovable(lot, ctx, "ship", until: "it cannot ship until released")
        let to = e.to
        guard let receiver = parties[to], to != ctx.actor.id else {
            throw DomainError(.unknownParty, "event \(ctx.id): \"to\" \(to) is not another registered party")
        }
        guard !receiver.roles.isDisjoint(with: handlingRoles.union([.buyer])) else {
            throw DomainError(
                .roleNotAllowed, "event \(ctx.id): \(to) cannot receive goods (roles \(receiver.roles.map(\.rawValue).sorted()))")
        }
        lot.status = .inTransit(to: to, shipSeq: ctx.seq)
        lot.entries.append(ctx.seq)
        lot.lastTimeMs = ctx.timeMs
        lots[lot.code.key] = lot
        pendingEffect = .shipped(lot: lot.code.key)
    }

    mutating func receive(_ ctx: EventContext, _ e: TraceEvent.Receive) throws {
        var lot = try requireLot(e.lot, field: "lot", id: ctx.id)
        guard case .inTransit(let to, let shipSeq) = lot.status, to == ctx.actor.id else {
            throw DomainError(
                .notShippedToYou,
                "event \(ctx.id): lot \(lot.code) was not shipped to \(ctx.actor.id); only what was shipped to you can be received"
            )
        }
        guard ctx.timeMs >= lot.lastTimeMs else {
            throw DomainError(
                .badTime,
                "event \(ctx.id): received at \(Timestamp.format(milliseconds: ctx.timeMs)), before it was shipped (entry \(shipSeq), \(Timestamp.format(milliseconds: lot.lastTimeMs)))"
            )
        }
        lot.status = .active
        lot.custodian = ctx.actor.id
        lot.custodians.append(ctx.actor.id)
        lot.entries.append(ctx.seq)
        lot.lastTimeMs = ctx.timeMs
        lots[lot.code.key] = lot
    }

    mutating func certify(_ ctx: EventContext, _ e: TraceEvent.Certify) throws {
        var lot = try requireLot(e.lot, field: "lot", id: ctx.id)
        guard lot.status != .voided else { throw DomainError(.lotNotActive, "event \(ctx.id): lot \(lot.code) was voided") }
        lot.certifications.append(
            Certification(
                seq: ctx.seq, scheme: e.scheme, reference: e.reference, documentSHA256: e.documentSHA256,
                certifier: ctx.actor.id, validUntil: e.validUntil, voided: false))
        lot.entries.append(ctx.seq)
        lots[lot.code.key] = lot
        pendingEffect = .certified(lot: lot.code.key, index: lot.certifications.count - 1)
    }

    mutating func export(_ ctx: EventContext, _ e: TraceEvent.Export) throws {
        var lot = try requireLot(e.lot, field: "lot", id: ctx.id)
        try requireMovable(lot, ctx, "export", until: "it cannot be exported until released")
        let (country, gtin, buyer, container) = (e.country, e.gtin, e.buyer, e.container)
        try checkExport(lot: lot, country: country, container: container, ctx)
        lot.export = ExportRecord(seq: ctx.seq, buyer: buyer, country: country, container: container, gtin: gtin)
        lot.status = .exported
        lot.entries.append(ctx.seq)
        lot.lastTimeMs = ctx.timeMs
        lots[lot.code.key] = lot
    }
}
