import CanonicalJSON
import Foundation
import TraceCrypto
import TraceLedger

/// Roles that hold goods and so may transform, split, merge and ship them.
let handlingRoles: Set<Role> = [.cooperative, .farm, .processor, .exporter]

extension DomainState {
    mutating func harvest(_ ctx: EventContext) throws {
        try ctx.requireRole([.cooperative, .farm], "record a harvest")
        let code = try LotCode(try ctx.string("lot", "the new lot's code"), field: "lot")
        if let old = lots[code.key], !mayReuse(old, ctx) {
            throw DomainError(
                .lotExists, "event \(ctx.id): lot code \(code) is already used by another lot; lot codes are unique")
        }
        let product = try ctx.string("product", "what was harvested")
        let mass = try Mass(
            try ctx.string("quantity", "how much"),
            unit: try MassUnit(parsing: try ctx.string("unit", "kg, t, ..."), field: "unit"), field: "quantity")
        let plotID = try ctx.string("plot", "the plot it came from")
        guard let plot = plots[plotID] else { throw DomainError(.unknownPlot, "event \(ctx.id): there is no plot \(plotID)") }
        guard plot.cooperative == ctx.actor.id || plot.farm == ctx.actor.id else {
            throw DomainError(
                .roleNotAllowed,
                "event \(ctx.id): plot \(plotID) belongs to \(plot.farm) of \(plot.cooperative), not to \(ctx.actor.id)")
        }
        let harvested = try ctx.string("harvested", "the harvest date")
        guard let day = Timestamp.parse(harvested.count == 10 ? harvested + "T00:00:00Z" : harvested),
            day <= ctx.timeMs + 86_400_000
        else {
            throw DomainError(
                .badTime, "event \(ctx.id): harvested \(harvested) must be a date (YYYY-MM-DD) not after the event's time")
        }
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

    /// Lines of {"lot", "quantity", "unit"}: the inputs or outputs of a transform or split.
    func lines(_ ctx: EventContext, _ key: String) throws -> [(code: LotCode, mass: Mass, product: String?)] {
        guard let items = ctx.event[key]?.arrayValue, !items.isEmpty else {
            throw DomainError(.badInput, "event \(ctx.id): \"\(key)\" needs at least one lot")
        }
        return try items.enumerated().map { i, item in
            let field = "\(key)[\(i)]"
            let code = try LotCode(item["lot"]?.stringValue ?? "", field: "\(field).lot")
            let unit = try MassUnit(parsing: item["unit"]?.stringValue ?? "kg", field: "\(field).unit")
            let mass = try Mass(item["quantity"]?.stringValue ?? "", unit: unit, field: "\(field).quantity")
            return (code, mass, item["product"]?.stringValue.map(CanonicalJSON.nfc))
        }
    }

    /// Takes `mass` out of each input lot, refusing to give out more than a lot holds.
    mutating func draw(_ inputs: [(code: LotCode, mass: Mass, product: String?)], _ ctx: EventContext, _ action: String) throws
        -> [Drawn]
    {
        var drawn: [String: Mass] = [:]
        for input in inputs {
            let lot = try requireLot(input.code.text, field: "inputs", id: ctx.id)
            try requireActive(lot, ctx, action)
            let total = (drawn[lot.code.key] ?? .zero) + input.mass
            guard total <= lot.held else {
                throw DomainError(
                    .overdrawn, "event \(ctx.id): lot \(lot.code) holds \(lot.held); this \(action) asks for \(total)")
            }
            drawn[lot.code.key] = total
        }
        for (key, mass) in drawn {
            lots[key]!.held = lots[key]!.held - mass
            lots[key]!.entries.append(ctx.seq)
            lots[key]!.lastTimeMs = ctx.timeMs
        }
        return inputs.map { Drawn(lot: $0.code.key, mass: $0.mass) }
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
        _ outputs: [(code: LotCode, mass: Mass, product: String?)], product fallback: String, parents: [String],
        _ ctx: EventContext
    ) throws -> [String] {
        var made: [String] = []
        for output in outputs {
            guard lots[output.code.key] == nil, !made.contains(output.code.key) else {
                throw DomainError(.lotExists, "event \(ctx.id): lot code \(output.code) is already used; lot codes are unique")
            }
            lots[output.code.key] = LotRecord(
                code: output.code, product: output.product ?? fallback, produced: output.mass, held: output.mass,
                custodian: ctx.actor.id, status: .active, createdSeq: ctx.seq, lastTimeMs: ctx.timeMs, plot: nil, harvested: nil,
                parents: parents, children: [], entries: [ctx.seq], certifications: [],
                // What is made from a held lot is held by the same recall.
                holds: parents.reduce(into: Set<UInt64>()) { $0.formUnion(lots[$1]?.holds ?? []) }, custodians: [ctx.actor.id],
                export: nil)
            made.append(output.code.key)
        }
        for parent in Set(parents) { lots[parent]!.children.append(contentsOf: made) }
        return made
    }

    mutating func transform(_ ctx: EventContext) throws {
        try ctx.requireRole(handlingRoles, "transform lots")
        let process = try ctx.string("process", "drying, milling, sorting, packing, ...")
        let inputs = try lines(ctx, "inputs")
        let outputs = try lines(ctx, "outputs")
        guard let limitText = ctx.event["yieldLimit"]?.stringValue, let limit = Mass.decimal(limitText), limit > 0, limit <= 1
        else {
            throw DomainError(
                .badInput,
                "event \(ctx.id): \"yieldLimit\" \(ctx.event["yieldLimit"].map { "\($0)" } ?? "(missing)") must be a decimal in (0, 1], like \"0.7\" for 70%"
            )
        }
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
        try requireNew(outputs.map(\.code), ctx)
        let drawn = try draw(inputs, ctx, process)
        let made = try create(outputs, product: "", parents: drawn.map(\.lot), ctx)
        pendingEffect = .converted(inputs: drawn, outputs: made)
    }

    mutating func split(_ ctx: EventContext) throws {
        try ctx.requireRole(handlingRoles, "split lots")
        let source = try requireLot(try ctx.string("lot", "the lot to divide"), field: "lot", id: ctx.id)
        let outputs = try lines(ctx, "outputs")
        let total = outputs.reduce(Mass.zero) { $0 + $1.mass }
        try requireNew(outputs.map(\.code), ctx)
        let drawn = try draw([(source.code, total, nil)], ctx, "split")
        let made = try create(
            outputs.map { ($0.code, $0.mass, source.product) }, product: source.product, parents: [source.code.key], ctx)
        pendingEffect = .converted(inputs: drawn, outputs: made)
    }

    mutating func merge(_ ctx: EventContext) throws {
        try ctx.requireRole(handlingRoles, "merge lots")
        guard let items = ctx.event["inputs"]?.arrayValue, items.count >= 2 else {
            throw DomainError(.badInput, "event \(ctx.id): a merge needs at least two input lots")
        }
        let sources = try items.enumerated().map { i, item in
            try requireLot(item["lot"]?.stringValue ?? item.stringValue ?? "", field: "inputs[\(i)].lot", id: ctx.id)
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
        let code = try LotCode(try ctx.string("output", "the merged lot's code"), field: "output")
        let total = sources.reduce(Mass.zero) { $0 + $1.held }
        try requireNew([code], ctx)
        let drawn = try draw(sources.map { ($0.code, $0.held, nil) }, ctx, "merge")
        let made = try create([(code, total, sources[0].product)], product: sources[0].product, parents: drawn.map(\.lot), ctx)
        pendingEffect = .converted(inputs: drawn, outputs: made)
    }

    mutating func ship(_ ctx: EventContext) throws {
        try ctx.requireRole(handlingRoles, "ship lots")
        var lot = try requireLot(try ctx.string("lot", "the lot shipped"), field: "lot", id: ctx.id)
        try requireMovable(lot, ctx, "ship", until: "it cannot ship until released")
        let to = try ctx.string("to", "the receiving party")
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

    mutating func receive(_ ctx: EventContext) throws {
        var lot = try requireLot(try ctx.string("lot", "the lot received"), field: "lot", id: ctx.id)
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

    mutating func certify(_ ctx: EventContext) throws {
        try ctx.requireRole([.certifier], "certify lots")
        var lot = try requireLot(try ctx.string("lot", "the lot certified"), field: "lot", id: ctx.id)
        guard lot.status != .voided else { throw DomainError(.lotNotActive, "event \(ctx.id): lot \(lot.code) was voided") }
        let scheme = try ctx.string("scheme", "VietGAP, GlobalG.A.P., organic, phytosanitary, lab test, ...")
        let document = try ctx.string("documentSha256", "the SHA-256 of the certificate document")
        guard (try? Digest(hex: document)) != nil else {
            throw DomainError(.badInput, "event \(ctx.id): documentSha256 \"\(document.prefix(80))\" must be 64 hex digits")
        }
        lot.certifications.append(
            Certification(
                seq: ctx.seq, scheme: scheme, reference: ctx.event["reference"]?.stringValue,
                documentSHA256: document.lowercased(),
                certifier: ctx.actor.id, validUntil: ctx.event["validUntil"]?.stringValue, voided: false))
        lot.entries.append(ctx.seq)
        lots[lot.code.key] = lot
        pendingEffect = .certified(lot: lot.code.key, index: lot.certifications.count - 1)
    }

    mutating func export(_ ctx: EventContext) throws {
        try ctx.requireRole([.exporter], "export lots")
        var lot = try requireLot(try ctx.string("lot", "the lot exported"), field: "lot", id: ctx.id)
        try requireMovable(lot, ctx, "export", until: "it cannot be exported until released")
        let country = try ctx.string("country", "the destination country, ISO 3166 alpha-2")
        guard country.utf8.count == 2, country.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
            throw DomainError(
                .badInput, "event \(ctx.id): country \"\(country)\" must be an ISO 3166 alpha-2 code in capitals, like DE or US")
        }
        let gtin = try ctx.event["gtin"]?.stringValue.map { try GS1.gtin14($0, field: "gtin") }
        let buyer = try ctx.string("buyer", "the buyer")
        let container = try ctx.string("container", "the container number")
        try checkExport(lot: lot, country: country, container: container, ctx)
        lot.export = ExportRecord(seq: ctx.seq, buyer: buyer, country: country, container: container, gtin: gtin)
        lot.status = .exported
        lot.entries.append(ctx.seq)
        lot.lastTimeMs = ctx.timeMs
        lots[lot.code.key] = lot
    }
}
