import CanonicalJSON
public import Foundation
import TraceCrypto
import TraceLedger

extension TraceEvent {
    /// `party.register`: the operator registers a party with its first key.
    public struct PartyRegister: Sendable {
        public let partyID: String
        /// An organisation's name; nil for a person, who has committed `personal` fields instead.
        public let name: String?
        /// Salted SHA-256 commitments of a person's personal data, by field.
        public let personal: [String: String]
        public let roles: [Role]
        /// The verifier key, in canonical text.
        public let key: String
        public let gln: String?
        public let address: Address?
        public let packhouseCode: String?
        public let memberOf: String?

        init(_ f: EventFields) throws {
            guard let p = f["party"], p.objectValue != nil else {
                throw DomainError(.badInput, "event \(f.id): \"party\" is missing")
            }
            guard let id = p["id"]?.stringValue, DomainState.isPartyID(id) else {
                throw DomainError(
                    .badInput,
                    "event \(f.id): party id \"\(p["id"]?.stringValue ?? "")\" must be 1 to 64 letters, digits, '-' or '_'")
            }
            partyID = id
            roles = try (p["roles"]?.arrayValue ?? []).map { try Role(parsing: $0.stringValue ?? "", field: "party.roles") }
            guard !roles.isEmpty else { throw DomainError(.badInput, "event \(f.id): party \(id) needs at least one role") }
            key = try f.verifierKey(p["key"]?.stringValue, field: "party.key")
            let name = p["name"]?.stringValue.map(CanonicalJSON.nfc)
            if let name, name.trimmingWhitespace.isEmpty {
                throw DomainError(.badInput, "event \(f.id): party \(id)'s name is empty")
            }
            self.name = name
            personal = try f.commitments(p["personal"])
            guard (name != nil) != (!personal.isEmpty) else {
                throw DomainError(
                    .badInput,
                    "event \(f.id): party \(id) is either an organisation with a \"name\" or a person with committed \"personal\" fields"
                )
            }
            gln = try p["gln"]?.stringValue.map { try GS1.gln($0, field: "party.gln") }
            address = try p["address"].map { try Address(json: $0, field: "party.address") }
            // A natural person's address is personal data, and an entry can never be erased: a member
            // farm is located by its cooperative's address and its plots.
            guard address == nil || personal.isEmpty else {
                throw DomainError(
                    .badInput, "event \(f.id): party \(id) is a person; a person's address is personal data and is not recorded")
            }
            packhouseCode = try f.officialCode(p["packhouseCode"], field: "party.packhouseCode")
            memberOf = p["memberOf"]?.stringValue
        }
    }

    /// `party.rotate`: the operator replaces a party's key.
    public struct PartyRotate: Sendable {
        public let party: String
        /// The new verifier key, in canonical text.
        public let key: String

        init(_ f: EventFields) throws {
            party = try f.string("party", "the party whose key changes")
            key = try f.verifierKey(f["key"]?.stringValue, field: "key")
        }
    }

    /// `party.revoke`: the operator revokes a party's current key (or all of them).
    public struct PartyRevoke: Sendable {
        public let party: String
        public let reason: String
        /// The key revoked; nil revokes every current key.
        public let key: String?

        init(_ f: EventFields) throws {
            party = try f.string("party", "the party whose key is revoked")
            reason = try f.string("reason", "why the key is revoked")
            key = f["key"]?.stringValue
        }
    }

    /// `party.amend`: the operator corrects a packhouse code or a person's commitments.
    public struct PartyAmend: Sendable {
        public let party: String
        public let packhouseCode: String?
        /// New commitments by field; nil when the event has no `personal` member.
        public let personal: [String: String]?
        public let reason: String?

        init(_ f: EventFields) throws {
            party = try f.string("party", "the party corrected")
            packhouseCode = try f.officialCode(f["packhouseCode"], field: "packhouseCode")
            personal = try f["personal"]?.objectValue.map { try f.commitments(.object($0)) }
            reason = f["reason"]?.stringValue
        }
    }

    /// `plot.register`: a cooperative registers a member farm's plot.
    public struct PlotRegister: Sendable {
        public let plotID: String
        /// The farm as written; nil when missing (the rule names it).
        public let farm: String?
        /// The crop as written (stored NFC-normalised).
        public let crop: String
        public let areaHa: Decimal
        public let geometry: PlotGeometry
        public let growingAreaCode: String?
        public let cultivatedSince: String?
        public let evidenceSHA256: String?

        init(_ f: EventFields) throws {
            guard let p = f["plot"], p.objectValue != nil else {
                throw DomainError(.badInput, "event \(f.id): \"plot\" is missing")
            }
            guard let id = p["id"]?.stringValue, DomainState.isPartyID(id) else {
                throw DomainError(
                    .badInput,
                    "event \(f.id): plot id \"\(p["id"]?.stringValue ?? "")\" must be 1 to 64 letters, digits, '-' or '_'")
            }
            plotID = id
            farm = p["farm"]?.stringValue
            guard let crop = p["crop"]?.stringValue, !crop.trimmingWhitespace.isEmpty else {
                throw DomainError(.badInput, "event \(f.id): plot.crop is missing")
            }
            self.crop = crop
            guard let areaText = p["areaHa"]?.stringValue, let area = Mass.decimal(areaText), area > 0, area < 100_000 else {
                throw DomainError(
                    .badInput,
                    "event \(f.id): plot.areaHa \"\(p["areaHa"]?.stringValue ?? "")\" must be a decimal number of hectares, like \"2.5\""
                )
            }
            areaHa = area
            geometry = try PlotGeometry(stored: p["geometry"], field: "plot.geometry")
            growingAreaCode = try f.officialCode(p["growingAreaCode"], field: "plot.growingAreaCode")
            // The EU cut-off evidence is compared as a date and a document hash: hold them to that form.
            let since = p["cultivatedSince"]?.stringValue
            if let since {
                guard since.count == 10, Timestamp.parse(since + "T00:00:00Z") != nil else {
                    throw DomainError(.badInput, "event \(f.id): plot.cultivatedSince \"\(since)\" must be a date, YYYY-MM-DD")
                }
            }
            cultivatedSince = since
            let evidence = p["evidenceSha256"]?.stringValue
            if let evidence {
                guard evidence.count == 64, evidence == evidence.lowercased(), (try? Digest(hex: evidence)) != nil else {
                    throw DomainError(
                        .badInput, "event \(f.id): plot.evidenceSha256 must be a SHA-256 (64 lower-case hex digits)")
                }
            }
            evidenceSHA256 = evidence
        }
    }

    /// `plot.amend`: the plot's cooperative or the operator corrects a registration.
    public struct PlotAmend: Sendable {
        public let plot: String
        public let areaHa: Decimal?
        public let geometry: PlotGeometry?
        /// The crop as written (stored NFC-normalised).
        public let crop: String?
        public let growingAreaCode: String?
        public let reason: String?

        init(_ f: EventFields) throws {
            plot = try f.string("plot", "the plot corrected")
            if let text = f["areaHa"]?.stringValue {
                guard let area = Mass.decimal(text), area > 0, area < 100_000 else {
                    throw DomainError(
                        .badInput, "event \(f.id): areaHa \"\(text)\" must be a decimal number of hectares, like \"2.5\"")
                }
                areaHa = area
            } else {
                areaHa = nil
            }
            geometry = try f["geometry"].map { try PlotGeometry(stored: $0, field: "geometry") }
            crop = f["crop"]?.stringValue
            if crop?.isEmpty == true { throw DomainError(.badInput, "event \(f.id): crop is empty") }
            growingAreaCode = try f.officialCode(f["growingAreaCode"], field: "growingAreaCode")
            reason = f["reason"]?.stringValue
        }
    }
}
