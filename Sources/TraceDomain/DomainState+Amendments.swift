import CanonicalJSON
import Foundation
import TraceCrypto
import TraceLedger

/// Corrections without deletes: `plot.amend` and `party.amend` change a registration from their
/// own entry on, keeping what they changed, so the journey shows each correction as one.
extension DomainState {
    /// `plot.amend`: the plot's cooperative or the operator corrects its area, geometry, crop or
    /// growing-area code. Harvests already recorded keep the values they were checked against.
    mutating func amendPlot(_ ctx: EventContext, _ e: TraceEvent.PlotAmend) throws {
        let id = e.plot
        guard var plot = plots[id] else { throw DomainError(.unknownPlot, "event \(ctx.id): there is no plot \(id)") }
        guard plot.cooperative == ctx.actor.id || ctx.actor.roles.contains(.operator) else {
            throw DomainError(
                .roleNotAllowed,
                "event \(ctx.id): plot \(id) was registered by \(plot.cooperative); only it or the operator can amend it")
        }
        var changes: [String: [String]] = [:]
        if let area = e.areaHa {
            changes["areaHa"] = [Mass.plain(plot.areaHa), Mass.plain(area)]
            plot.areaHa = area
        }
        if let geometry = e.geometry {
            changes["geometry"] = [plot.geometry.geoJSONText, geometry.geoJSONText]
            plot.geometry = geometry
        }
        if let crop = e.crop {
            try checkCropCapped(crop, field: "crop", ctx)
            changes["crop"] = [plot.crop, CanonicalJSON.nfc(crop)]
            plot.crop = CanonicalJSON.nfc(crop)
        }
        if let code = e.growingAreaCode {
            changes["growingAreaCode"] = [plot.growingAreaCode ?? "", code]
            plot.growingAreaCode = code
        }
        guard !changes.isEmpty else {
            throw DomainError(
                .badInput, "event \(ctx.id): a plot amendment changes at least one of areaHa, geometry, crop, growingAreaCode")
        }
        if changes["areaHa"] != nil || changes["geometry"] != nil {
            try checkPlotArea(id: id, area: plot.areaHa, geometry: plot.geometry, ctx)
        }
        plot.amendments.append(
            Amendment(seq: ctx.seq, actor: ctx.actor.id, reason: e.reason, changes: changes))
        plots[id] = plot
    }

    /// `party.amend`: the operator corrects a party: a processor's packhouse code, or a person's
    /// committed personal data (new commitments replace the old, whose clear values may be erased).
    mutating func amendParty(_ ctx: EventContext, _ e: TraceEvent.PartyAmend) throws {
        let id = e.party
        guard var party = parties[id], id != Self.operatorID else {
            throw DomainError(.unknownParty, "event \(ctx.id): there is no party \(id)")
        }
        var changes: [String: [String]] = [:]
        if let code = e.packhouseCode {
            guard party.roles.contains(.processor) || party.roles.contains(.exporter) else {
                throw DomainError(.badInput, "event \(ctx.id): \(id) is not a processor; only a packhouse has a packhouse code")
            }
            changes["packhouseCode"] = [party.packhouseCode ?? "", code]
            party.packhouseCode = code
        }
        if let personal = e.personal {
            guard party.isPerson else {
                throw DomainError(.badInput, "event \(ctx.id): \(id) is an organisation; it has no personal data")
            }
            for (field, hex) in personal.sorted(by: { $0.key < $1.key }) {
                changes["personal." + field] = [party.personal[field] ?? "", hex]
                party.personal[field] = hex
            }
        }
        guard !changes.isEmpty else {
            throw DomainError(.badInput, "event \(ctx.id): a party amendment changes packhouseCode or personal fields")
        }
        party.amendments.append(
            Amendment(seq: ctx.seq, actor: ctx.actor.id, reason: e.reason, changes: changes))
        parties[id] = party
    }

    /// Once the rules are adopted, a person's id is opaque: `p-` and 4 to 62 lower-case letters or
    /// digits, so no name enters the log, which can never be rewritten.
    func requireOpaque(_ id: String, _ ctx: EventContext) throws {
        let rest = id.utf8.dropFirst(2)
        guard id.hasPrefix("p-"), (4...62).contains(rest.count),
            rest.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) })
        else {
            throw DomainError(
                .notOpaque,
                "event \(ctx.id): person id \"\(id)\" is not opaque; a person's id is p- and 4 to 62 lower-case letters or digits (trace party add --person makes one)"
            )
        }
    }
}
