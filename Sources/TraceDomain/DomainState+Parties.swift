import CanonicalJSON
import Foundation
import TraceCrypto
import TraceLedger

extension DomainState {
    mutating func registerParty(_ ctx: EventContext, _ e: TraceEvent.PartyRegister) throws {
        let id = e.partyID
        guard parties[id] == nil else { throw DomainError(.exists, "event \(ctx.id): party \(id) is already registered") }
        let vkey = e.key
        guard !keyInUse(vkey) else {
            throw DomainError(
                .exists, "event \(ctx.id): key \(vkey.prefix(40))... already belongs to a party; each party has its own key")
        }
        let (name, personal, roles, gln, address) = (e.name, e.personal, e.roles, e.gln, e.address)
        if rules.adopted && !personal.isEmpty { try requireOpaque(id, ctx) }
        let packhouseCode = e.packhouseCode
        let memberOf = e.memberOf
        if let memberOf {
            guard parties[memberOf]?.roles.contains(.cooperative) == true else {
                throw DomainError(.unknownParty, "event \(ctx.id): memberOf \(memberOf) is not a registered cooperative")
            }
        }
        parties[id] = PartyRecord(
            id: id, name: name, personal: personal, roles: Set(roles), gln: gln, address: address, memberOf: memberOf,
            keys: [KeyRecord(vkey: vkey, from: ctx.seq, until: nil)], registeredSeq: ctx.seq, packhouseCode: packhouseCode)
    }

    mutating func rotateKey(_ ctx: EventContext, _ e: TraceEvent.PartyRotate) throws {
        let id = e.party
        guard var party = parties[id], id != Self.operatorID else {
            throw DomainError(.unknownParty, "event \(ctx.id): there is no party \(id)")
        }
        let vkey = e.key
        guard !keyInUse(vkey) else {
            throw DomainError(.exists, "event \(ctx.id): the new key is already registered")
        }
        // The old keys sign nothing after this entry; what they signed before stays valid.
        for i in party.keys.indices where party.keys[i].until == nil { party.keys[i].until = ctx.seq }
        party.keys.append(KeyRecord(vkey: vkey, from: ctx.seq, until: nil))
        parties[id] = party
    }

    mutating func revokeKey(_ ctx: EventContext, _ e: TraceEvent.PartyRevoke) throws {
        let id = e.party
        guard var party = parties[id], id != Self.operatorID else {
            throw DomainError(.unknownParty, "event \(ctx.id): there is no party \(id)")
        }
        let vkey = e.key
        var revoked = 0
        for i in party.keys.indices where party.keys[i].until == nil && (vkey == nil || party.keys[i].vkey == vkey) {
            party.keys[i].until = ctx.seq
            revoked += 1
        }
        guard revoked > 0 else {
            throw DomainError(
                .keyNotValid, "event \(ctx.id): \(id) has no current key\(vkey.map { " \($0.prefix(40))" } ?? "") to revoke")
        }
        parties[id] = party
    }

    mutating func registerPlot(_ ctx: EventContext, _ e: TraceEvent.PlotRegister) throws {
        let id = e.plotID
        guard plots[id] == nil else { throw DomainError(.exists, "event \(ctx.id): plot \(id) is already registered") }
        guard let farmID = e.farm, let farm = parties[farmID], farm.roles.contains(.farm) else {
            throw DomainError(.unknownParty, "event \(ctx.id): plot.farm \(e.farm ?? "(missing)") is not a registered farm")
        }
        guard farm.memberOf == ctx.actor.id else {
            throw DomainError(
                .roleNotAllowed,
                "event \(ctx.id): farm \(farmID) is a member of \(farm.memberOf ?? "no cooperative"), not \(ctx.actor.id)")
        }
        let (crop, area, geometry) = (e.crop, e.areaHa, e.geometry)
        try checkCropCapped(crop, field: "plot.crop", ctx)
        try checkPlotArea(id: id, area: area, geometry: geometry, ctx)
        let (growingAreaCode, since, evidence) = (e.growingAreaCode, e.cultivatedSince, e.evidenceSHA256)
        plots[id] = PlotRecord(
            id: id, farm: farmID, cooperative: ctx.actor.id, crop: CanonicalJSON.nfc(crop), areaHa: area, geometry: geometry,
            cultivatedSince: since, evidenceSHA256: evidence,
            registeredSeq: ctx.seq, growingAreaCode: growingAreaCode)
    }

    /// True when any party has ever had this public key, whatever name it was registered under:
    /// one key is one party, or a key could sign as two and survive one's revocation.
    func keyInUse(_ vkey: String) -> Bool {
        guard let key = try? VerifierKey(vkey).publicKey else { return false }
        return parties.loaded.contains { $0.keys.contains { (try? VerifierKey($0.vkey))?.publicKey == key } }
    }

    static func isPartyID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy {
                $0 < 0x80
                    && (Character(Unicode.Scalar($0)).isLetter || Character(Unicode.Scalar($0)).isNumber || $0 == 45 || $0 == 95)
            }
    }
}
