import CanonicalJSON
import Foundation
import TraceCrypto
import TraceLedger

/// Corrections without deletes: `plot.amend` and `party.amend` change a registration from their
/// own entry on, keeping what they changed, so the journey shows each correction as one.
extension DomainState {
    /// `plot.amend`: the plot's cooperative or the operator corrects its area, geometry, crop or
    /// growing-area code. Harvests already recorded keep the values they were checked against.
    mutating func amendPlot(_ ctx: EventContext) throws {
        try ctx.requireRole([.cooperative, .operator], "amend plots")
        let id = try ctx.string("plot", "the plot corrected")
        guard var plot = plots[id] else { throw DomainError(.unknownPlot, "event \(ctx.id): there is no plot \(id)") }
        guard plot.cooperative == ctx.actor.id || ctx.actor.roles.contains(.operator) else {
            throw DomainError(
                .roleNotAllowed,
                "event \(ctx.id): plot \(id) was registered by \(plot.cooperative); only it or the operator can amend it")
        }
        var changes: [String: [String]] = [:]
        if let text = ctx.event["areaHa"]?.stringValue {
            guard let area = Mass.decimal(text), area > 0, area < 100_000 else {
                throw DomainError(
                    .badInput, "event \(ctx.id): areaHa \"\(text)\" must be a decimal number of hectares, like \"2.5\"")
            }
            changes["areaHa"] = [Mass.plain(plot.areaHa), Mass.plain(area)]
            plot.areaHa = area
        }
        if ctx.event["geometry"] != nil {
            let geometry = try PlotGeometry(stored: ctx.event["geometry"], field: "geometry")
            changes["geometry"] = [plot.geometry.geoJSONText, geometry.geoJSONText]
            plot.geometry = geometry
        }
        if let crop = ctx.event["crop"]?.stringValue {
            guard !crop.isEmpty else { throw DomainError(.badInput, "event \(ctx.id): crop is empty") }
            try checkCropCapped(crop, field: "crop", ctx)
            changes["crop"] = [plot.crop, CanonicalJSON.nfc(crop)]
            plot.crop = CanonicalJSON.nfc(crop)
        }
        if let code = try Self.officialCode(ctx.event["growingAreaCode"], field: "growingAreaCode", ctx) {
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
            Amendment(seq: ctx.seq, actor: ctx.actor.id, reason: ctx.event["reason"]?.stringValue, changes: changes))
        plots[id] = plot
    }

    /// `party.amend`: the operator corrects a party: a processor's packhouse code, or a person's
    /// committed personal data (new commitments replace the old, whose clear values may be erased).
    mutating func amendParty(_ ctx: EventContext) throws {
        try ctx.requireRole([.operator], "amend parties")
        let id = try ctx.string("party", "the party corrected")
        guard var party = parties[id], id != Self.operatorID else {
            throw DomainError(.unknownParty, "event \(ctx.id): there is no party \(id)")
        }
        var changes: [String: [String]] = [:]
        if let code = try Self.officialCode(ctx.event["packhouseCode"], field: "packhouseCode", ctx) {
            guard party.roles.contains(.processor) || party.roles.contains(.exporter) else {
                throw DomainError(.badInput, "event \(ctx.id): \(id) is not a processor; only a packhouse has a packhouse code")
            }
            changes["packhouseCode"] = [party.packhouseCode ?? "", code]
            party.packhouseCode = code
        }
        if let personal = ctx.event["personal"]?.objectValue {
            guard party.isPerson else {
                throw DomainError(.badInput, "event \(ctx.id): \(id) is an organisation; it has no personal data")
            }
            for (field, value) in personal.sorted(by: { $0.key < $1.key }) {
                guard let hex = value.stringValue, (try? Digest(hex: hex)) != nil else {
                    throw DomainError(
                        .badInput, "event \(ctx.id): personal.\(field) must be a SHA-256 commitment (64 hex digits)")
                }
                changes["personal." + field] = [party.personal[field] ?? "", hex]
                party.personal[field] = hex
            }
        }
        guard !changes.isEmpty else {
            throw DomainError(.badInput, "event \(ctx.id): a party amendment changes packhouseCode or personal fields")
        }
        party.amendments.append(
            Amendment(seq: ctx.seq, actor: ctx.actor.id, reason: ctx.event["reason"]?.stringValue, changes: changes))
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

    /// An optional official code (growing area, packhouse): 1 to 40 ASCII letters, digits, `-`, `.`, `/` or `_`.
    static func officialCode(_ value: JSONValue?, field: String, _ ctx: EventContext) throws -> String? {
        guard let value else { return nil }
        guard let text = value.stringValue, (1...40).contains(text.utf8.count),
            text.utf8.allSatisfy({
                ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || [45, 46, 47, 95].contains($0)
            })
        else {
            throw DomainError(
                .badInput,
                "event \(ctx.id): \(field) \(value) must be 1 to 40 letters, digits, '-', '.', '/' or '_', like VN-TGOR-0107")
        }
        return text
    }
}
