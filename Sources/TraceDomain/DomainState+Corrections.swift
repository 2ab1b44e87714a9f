import CanonicalJSON
import Foundation
import TraceLedger

extension DomainState {
    /// `void`: a new entry cancels a mistaken one. Nothing is deleted; the mistaken entry's
    /// effect is undone, which is only possible while nothing has been built on it.
    mutating func void(_ ctx: EventContext, _ e: TraceEvent.Void) throws {
        guard e.entry < ctx.seq else {
            throw DomainError(
                .badInput, "event \(ctx.id): \"entry\" \(e.entry) must be the number of an earlier entry")
        }
        let seq = e.entry
        let fact = entries[seq]
        guard fact?.actor == ctx.actor.id || ctx.actor.roles.contains(.operator) else {
            throw DomainError(
                .roleNotAllowed,
                "event \(ctx.id): entry \(seq) was made by \(fact?.actor ?? "another party"); only they or the operator can void it"
            )
        }
        guard fact?.voided != true else { throw DomainError(.cannotVoid, "event \(ctx.id): entry \(seq) is already voided") }
        guard let effect = fact?.effect else {
            throw DomainError(
                .cannotVoid,
                "event \(ctx.id): entry \(seq) cannot be voided (only harvests, transforms, splits, merges, shipments not yet received, and certifications can)"
            )
        }
        switch effect {
        case .created(let key):
            guard let lot = lots[key], lot.entries == [seq], lot.status == .active else {
                throw DomainError(
                    .cannotVoid,
                    "event \(ctx.id): lot \(lots[key]?.code.text ?? key) has been used since entry \(seq); void those entries first"
                )
            }
            lots[key]!.status = .voided
            lots[key]!.held = .zero
            lots[key]!.entries.append(ctx.seq)
            // A voided harvest no longer counts against its plot's crop cap.
            if let plotID = lot.plot, let plot = plots[plotID], plot.claims.contains(where: { $0.lot == key && $0.seq == seq }) {
                plots[plotID]!.claims.removeAll { $0.lot == key && $0.seq == seq }
            }
        case .shipped(let key):
            guard case .inTransit(_, let shipSeq) = lots[key]?.status, shipSeq == seq else {
                throw DomainError(.cannotVoid, "event \(ctx.id): the shipment in entry \(seq) was already received")
            }
            lots[key]!.status = .active
            lots[key]!.entries.append(ctx.seq)
        case .certified(let key, let index):
            lots[key]!.certifications[index].voided = true
            lots[key]!.entries.append(ctx.seq)
        case .converted(let inputs, let outputs):
            // Giving the mass back is only right while every input is exactly as this entry left it.
            for input in inputs {
                guard let lot = lots[input.lot], lot.entries.last == seq, lot.status == .active, lot.custodian == fact?.actor
                else {
                    throw DomainError(
                        .cannotVoid,
                        "event \(ctx.id): input lot \(lots[input.lot]?.code.text ?? input.lot) has been used or handed on since entry \(seq); void those entries first"
                    )
                }
            }
            for key in outputs {
                guard let lot = lots[key], lot.entries == [seq], lot.status == .active else {
                    throw DomainError(
                        .cannotVoid,
                        "event \(ctx.id): output lot \(lots[key]?.code.text ?? key) has been used since entry \(seq); void those entries first"
                    )
                }
            }
            for key in outputs {
                lots[key]!.status = .voided
                lots[key]!.held = .zero
                lots[key]!.entries.append(ctx.seq)
            }
            for input in inputs {
                lots[input.lot]!.held = lots[input.lot]!.held + input.mass
                lots[input.lot]!.children.removeAll { outputs.contains($0) }
                lots[input.lot]!.entries.append(ctx.seq)
            }
        }
        entries[seq]!.voided = true
    }

    /// Every lot made from `key`, directly or not, `key` included.
    public func downstream(of key: String) -> [String] {
        var seen: Set<String> = [key]
        var order = [key]
        var i = 0
        while i < order.count {
            // Each level's records in one batch read.
            let end = order.count
            lots.prefetch(order[i..<end])
            while i < end {
                for child in lots[order[i]]?.children ?? [] where seen.insert(child).inserted { order.append(child) }
                i += 1
            }
        }
        return order
    }

    /// Every lot `key` was made from, directly or not, `key` included.
    public func upstream(of key: String) -> [String] {
        var seen: Set<String> = [key]
        var order = [key]
        var i = 0
        while i < order.count {
            // Each level's records in one batch read.
            let end = order.count
            lots.prefetch(order[i..<end])
            while i < end {
                for parent in lots[order[i]]?.parents ?? [] where seen.insert(parent).inserted { order.append(parent) }
                i += 1
            }
        }
        return order
    }

    func mayRecall(_ lot: LotRecord, _ ctx: EventContext) -> Bool {
        ctx.actor.roles.contains(.operator) || ctx.actor.roles.contains(.certifier) || lot.custodians.contains(ctx.actor.id)
            || upstream(of: lot.code.key).contains { lots[$0]?.custodians.contains(ctx.actor.id) == true }
    }

    /// `recall`: one entry puts a suspect lot and everything made from it on hold.
    mutating func recall(_ ctx: EventContext, _ e: TraceEvent.Recall) throws {
        let lot = try requireLot(e.lot, field: "lot", id: ctx.id)
        guard mayRecall(lot, ctx) else {
            throw DomainError(
                .roleNotAllowed,
                "event \(ctx.id): \(ctx.actor.id) never held lot \(lot.code) and is not the operator or a certifier")
        }
        for key in downstream(of: lot.code.key) {
            lots[key]?.holds.insert(ctx.seq)
            lots[key]?.entries.append(ctx.seq)
        }
        recalls[String(ctx.seq)] = lot.code.key
    }

    /// `release`: lifts the holds of the recalls of this lot.
    mutating func release(_ ctx: EventContext, _ e: TraceEvent.Release) throws {
        let lot = try requireLot(e.lot, field: "lot", id: ctx.id)
        let open = Set(recalls.records.filter { $0.value == lot.code.key }.keys.compactMap { UInt64($0) })
        guard !open.isEmpty else { throw DomainError(.badInput, "event \(ctx.id): lot \(lot.code) is not recalled") }
        // A recall is lifted by the operator, a certifier, or whoever made it: never by a party
        // that merely held the suspect goods.
        let issuers = Set(open.compactMap { entries[$0]?.actor })
        guard ctx.actor.roles.contains(.operator) || ctx.actor.roles.contains(.certifier) || issuers == [ctx.actor.id] else {
            throw DomainError(
                .roleNotAllowed,
                "event \(ctx.id): the recall of \(lot.code) was made by \(issuers.sorted().joined(separator: ", ")); only they, a certifier or the operator can release it"
            )
        }
        // A recall's holds are on the recalled lot and what is made from it, now or later.
        for key in downstream(of: lot.code.key) where !(lots[key]?.holds.isDisjoint(with: open) ?? true) {
            lots[key]?.holds.subtract(open)
            lots[key]?.entries.append(ctx.seq)
        }
        for r in open { recalls[String(r)] = "" }
    }

    /// The parties holding (or last holding) each lot on hold by the recall of `key`: whom to notify.
    public func partiesToNotify(recalling key: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for k in downstream(of: key) {
            guard let lot = lots[k], lot.status != .voided else { continue }
            var who = [lot.custodian]
            if case .inTransit(let to, _) = lot.status { who.append(to) }
            if let export = lot.export { who.append("buyer: \(export.buyer)") }
            for w in who { out[w, default: []].append(lot.code.text) }
        }
        return out
    }
}
