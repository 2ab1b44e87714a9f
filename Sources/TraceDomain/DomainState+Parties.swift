import CanonicalJSON
import Foundation
import TraceCrypto
import TraceLedger

extension DomainState {
    mutating func registerParty(_ ctx: EventContext) throws {
        try ctx.requireRole([.operator], "register parties")
        guard let p = ctx.event["party"]?.objectValue else {
            throw DomainError(.badInput, "event \(ctx.id): \"party\" is missing")
        }
        guard let id = p["id"]?.stringValue, Self.isPartyID(id) else {
            throw DomainError(
                .badInput,
                "event \(ctx.id): party id \"\(p["id"]?.stringValue ?? "")\" must be 1 to 64 letters, digits, '-' or '_'")
        }
        guard parties[id] == nil else { throw DomainError(.exists, "event \(ctx.id): party \(id) is already registered") }
        let roles = try (p["roles"]?.arrayValue ?? []).map { try Role(parsing: $0.stringValue ?? "", field: "party.roles") }
        guard !roles.isEmpty else { throw DomainError(.badInput, "event \(ctx.id): party \(id) needs at least one role") }
        let vkey = try Self.verifierKey(p["key"]?.stringValue, field: "party.key", id: ctx.id)
        guard !keyInUse(vkey) else {
            throw DomainError(
                .exists, "event \(ctx.id): key \(vkey.prefix(40))... already belongs to a party; each party has its own key")
        }
        let name = p["name"]?.stringValue.map(CanonicalJSON.nfc)
        if let name, name.trimmingWhitespace.isEmpty {
            throw DomainError(.badInput, "event \(ctx.id): party \(id)'s name is empty")
        }
        var personal: [String: String] = [:]
        for (field, value) in p["personal"]?.objectValue ?? [:] {
            guard let hex = value.stringValue, (try? Digest(hex: hex)) != nil else {
                throw DomainError(.badInput, "event \(ctx.id): personal.\(field) must be a SHA-256 commitment (64 hex digits)")
            }
            personal[field] = hex
        }
        guard (name != nil) != (!personal.isEmpty) else {
            throw DomainError(
                .badInput,
                "event \(ctx.id): party \(id) is either an organisation with a \"name\" or a person with committed \"personal\" fields"
            )
        }
        let gln = try p["gln"]?.stringValue.map { try GS1.gln($0, field: "party.gln") }
        let address = try p["address"].map { try Address(json: $0, field: "party.address") }
        // A natural person's address is personal data, and an entry can never be erased: a member
        // farm is located by its cooperative's address and its plots.
        guard address == nil || personal.isEmpty else {
            throw DomainError(
                .badInput, "event \(ctx.id): party \(id) is a person; a person's address is personal data and is not recorded")
        }
        if rules.adopted && !personal.isEmpty { try requireOpaque(id, ctx) }
        let packhouseCode = try Self.officialCode(p["packhouseCode"], field: "party.packhouseCode", ctx)
        let memberOf = p["memberOf"]?.stringValue
        if let memberOf {
            guard parties[memberOf]?.roles.contains(.cooperative) == true else {
                throw DomainError(.unknownParty, "event \(ctx.id): memberOf \(memberOf) is not a registered cooperative")
            }
        }
        parties[id] = PartyRecord(
            id: id, name: name, personal: personal, roles: Set(roles), gln: gln, address: address, memberOf: memberOf,
            keys: [KeyRecord(vkey: vkey, from: ctx.seq, until: nil)], registeredSeq: ctx.seq, packhouseCode: packhouseCode)
    }

    mutating func rotateKey(_ ctx: EventContext) throws {
        try ctx.requireRole([.operator], "rotate keys")
        let id = try ctx.string("party", "the party whose key changes")
        guard var party = parties[id], id != Self.operatorID else {
            throw DomainError(.unknownParty, "event \(ctx.id): there is no party \(id)")
        }
        let vkey = try Self.verifierKey(ctx.event["key"]?.stringValue, field: "key", id: ctx.id)
        guard !keyInUse(vkey) else {
            throw DomainError(.exists, "event \(ctx.id): the new key is already registered")
        }
        // The old keys sign nothing after this entry; what they signed before stays valid.
        for i in party.keys.indices where party.keys[i].until == nil { party.keys[i].until = ctx.seq }
        party.keys.append(KeyRecord(vkey: vkey, from: ctx.seq, until: nil))
        parties[id] = party
    }

    mutating func revokeKey(_ ctx: EventContext) throws {
        try ctx.requireRole([.operator], "revoke keys")
        let id = try ctx.string("party", "the party whose key is revoked")
        guard var party = parties[id], id != Self.operatorID else {
            throw DomainError(.unknownParty, "event \(ctx.id): there is no party \(id)")
        }
        _ = try ctx.string("reason", "why the key is revoked")
        let vkey = ctx.event["key"]?.stringValue
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

    mutating func registerPlot(_ ctx: EventContext) throws {
        try ctx.requireRole([.cooperative], "register plots")
        guard let p = ctx.event["plot"]?.objectValue else { throw DomainError(.badInput, "event \(ctx.id): \"plot\" is missing") }
        guard let id = p["id"]?.stringValue, Self.isPartyID(id) else {
            throw DomainError(
                .badInput,
                "event \(ctx.id): plot id \"\(p["id"]?.stringValue ?? "")\" must be 1 to 64 letters, digits, '-' or '_'")
        }
        guard plots[id] == nil else { throw DomainError(.exists, "event \(ctx.id): plot \(id) is already registered") }
        guard let farmID = p["farm"]?.stringValue, let farm = parties[farmID], farm.roles.contains(.farm) else {
            throw DomainError(
                .unknownParty, "event \(ctx.id): plot.farm \(p["farm"]?.stringValue ?? "(missing)") is not a registered farm")
        }
        guard farm.memberOf == ctx.actor.id else {
            throw DomainError(
                .roleNotAllowed,
                "event \(ctx.id): farm \(farmID) is a member of \(farm.memberOf ?? "no cooperative"), not \(ctx.actor.id)")
        }
        guard let crop = p["crop"]?.stringValue, !crop.trimmingWhitespace.isEmpty else {
            throw DomainError(.badInput, "event \(ctx.id): plot.crop is missing")
        }
        guard let areaText = p["areaHa"]?.stringValue, let area = Mass.decimal(areaText), area > 0, area < 100_000 else {
            throw DomainError(
                .badInput,
                "event \(ctx.id): plot.areaHa \"\(p["areaHa"]?.stringValue ?? "")\" must be a decimal number of hectares, like \"2.5\""
            )
        }
        try checkCropCapped(crop, field: "plot.crop", ctx)
        let geometry = try PlotGeometry(stored: p["geometry"], field: "plot.geometry")
        try checkPlotArea(id: id, area: area, geometry: geometry, ctx)
        let growingAreaCode = try Self.officialCode(p["growingAreaCode"], field: "plot.growingAreaCode", ctx)
        // The EU cut-off evidence is compared as a date and a document hash: hold them to that form.
        let since = p["cultivatedSince"]?.stringValue
        if let since {
            guard since.count == 10, Timestamp.parse(since + "T00:00:00Z") != nil else {
                throw DomainError(.badInput, "event \(ctx.id): plot.cultivatedSince \"\(since)\" must be a date, YYYY-MM-DD")
            }
        }
        let evidence = p["evidenceSha256"]?.stringValue
        if let evidence {
            guard evidence.count == 64, evidence == evidence.lowercased(), (try? Digest(hex: evidence)) != nil else {
                throw DomainError(
                    .badInput, "event \(ctx.id): plot.evidenceSha256 must be a SHA-256 (64 lower-case hex digits)")
            }
        }
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

    static func verifierKey(_ text: String?, field: String, id: String) throws -> String {
        guard let text else { throw DomainError(.badInput, "event \(id): \(field) (a verifier key) is missing") }
        do {
            let key = try VerifierKey(text)
            // The Ed25519 rule (FORMAT.md section 3): a key no accepted signature could match is refused here.
            try key.publicKey.checkAcceptable()
            return key.description
        } catch let error as CryptoError {
            throw DomainError(.badInput, "event \(id): \(field): \(error.message)")
        }
    }
}
