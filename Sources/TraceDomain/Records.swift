public import Foundation
import TraceCrypto

/// A registered party, as the ledger's entries have made it so far.
public struct PartyRecord: Sendable, Codable {
    public let id: String
    /// The legal name, for organisations (not personal data).
    public var name: String?
    /// For a natural person: commitments to personal fields (name, phone, idNumber), hex.
    public var personal: [String: String]
    public var roles: Set<Role>
    public var gln: String?
    public var address: Address?
    /// The cooperative a member farm belongs to.
    public var memberOf: String?
    public var keys: [KeyRecord]
    public let registeredSeq: UInt64
    /// A packhouse's official code (mã số cơ sở đóng gói), for a processor.
    public var packhouseCode: String? = nil
    /// Corrections made by `party.amend`, oldest first.
    public var amendments: [Amendment] = []

    public var isPerson: Bool { name == nil }

    /// True when `vkey` may sign the entry at `seq`: registered before it, not yet revoked or replaced.
    public func keyValid(_ vkey: String, at seq: UInt64) -> Bool {
        keys.contains { $0.vkey == vkey && $0.from < seq && ($0.until.map { seq < $0 } ?? true) }
    }
}

/// One key of a party and the entries it may sign: after `from`, before `until`.
public struct KeyRecord: Sendable, Codable {
    public let vkey: String
    public let from: UInt64
    public var until: UInt64?

    public init(vkey: String, from: UInt64, until: UInt64?) {
        self.vkey = vkey
        self.from = from
        self.until = until
    }
}

/// A member farm's plot.
public struct PlotRecord: Sendable, Codable {
    public let id: String
    public let farm: String
    public let cooperative: String
    public var crop: String
    public var areaHa: Decimal
    public var geometry: PlotGeometry
    public let cultivatedSince: String?
    public let evidenceSHA256: String?
    public let registeredSeq: UInt64
    /// Vietnam's official growing-area code (mã số vùng trồng), if registered.
    public var growingAreaCode: String? = nil
    /// Harvests counted against a crop cap (those recorded while one was in force), oldest first.
    public var claims: [HarvestClaim] = []
    /// Corrections made by `plot.amend`, oldest first.
    public var amendments: [Amendment] = []
}

/// A certification or lab result attached to a lot.
public struct Certification: Sendable, Codable {
    public let seq: UInt64
    public let scheme: String
    public let reference: String?
    public let documentSHA256: String
    public let certifier: String
    public let validUntil: String?
    public var voided: Bool
}

/// Where a lot stands.
public enum LotStatus: Sendable, Equatable, Codable {
    case active
    case inTransit(to: String, shipSeq: UInt64)
    case exported
    case voided
}

/// What an export recorded.
public struct ExportRecord: Sendable, Codable {
    public let seq: UInt64
    public let buyer: String
    public let country: String
    public let container: String
    public let gtin: String?
}

/// A lot, as the ledger's entries have made it so far.
public struct LotRecord: Sendable, Codable {
    public let code: LotCode
    public let product: String
    public let produced: Mass
    public var held: Mass
    public var custodian: String
    public var status: LotStatus
    public let createdSeq: UInt64
    public var lastTimeMs: Int64
    public let plot: String?
    public let harvested: String?
    /// Lot keys this lot was made from, and lot keys made from it.
    public var parents: [String]
    public var children: [String]
    /// Every entry that touched this lot, in order.
    public var entries: [UInt64]
    public var certifications: [Certification]
    /// Recall entries holding this lot.
    public var holds: Set<UInt64>
    public var custodians: [String]
    public var export: ExportRecord?
}

/// What an entry did, kept so a `void` can undo it exactly.
enum Effect: Sendable, Codable {
    case created(lot: String)
    case shipped(lot: String)
    case certified(lot: String, index: Int)
    case converted(inputs: [Drawn], outputs: [String])
}

/// A quantity taken out of a lot.
struct Drawn: Sendable, Codable {
    let lot: String
    let mass: Mass
}

/// Who made an entry, what it did, and whether it was voided.
struct EntryFact: Sendable, Codable {
    let actor: String
    let effect: Effect?
    var voided: Bool
}
