import CanonicalJSON
public import Foundation

/// The limits the operator has set, and whether the current release's rules were adopted: kept
/// in full in memory (they are few) and replayed from the operator's `rules.*` entries.
public struct OperatorRules: Sendable, Codable, Equatable {
    /// The `rules.adopt` entry from which the rules added in code apply, if adopted.
    public var adoptedSeq: UInt64?
    /// The first `rules.adopt` entry of release 2026.12 or later, from which a quantity must be
    /// a whole number of milligrams; nil before (ledgers adopted under 2026.11 replay unchanged).
    public var wholeMilligramsSeq: UInt64?
    /// How many days before the entry's recorded day a harvest may be dated, once adopted.
    public var maxBackdateDays: Int = OperatorRules.defaultBackdateDays
    /// Crop caps by folded crop name.
    public var cropCaps: [String: CropCap] = [:]
    /// Process caps by folded process name, then `|`, then the folded product (empty for any product).
    public var processCaps: [String: ProcessCap] = [:]
    /// Crop x destination pairs whose exports need growing-area and packhouse codes, by `crop|CC`.
    public var codeRequirements: [String: CodeRequirement] = [:]
    /// Every `rules.*` entry, so a lot's story (a certificate, `verify --since`) carries them all.
    public var entries: [UInt64] = []

    public init() {}

    /// The default backdating allowance: 30 days.
    public static let defaultBackdateDays = 30

    public var adopted: Bool { adoptedSeq != nil }

    /// The release that first asks quantities to be whole milligrams.
    public static let wholeMilligramsRelease = "2026.12"

    /// Whether a `rules.adopt` entry's `release` is `release` or later: `YYYY.MM` compares as text.
    static func release(_ adopted: String?, isAtLeast release: String) -> Bool {
        guard let adopted, adopted.utf8.count == 7, adopted.wholeMatch(of: /\d{4}\.\d{2}/) != nil else { return false }
        return adopted >= release
    }

    /// A crop, process or product name as rules compare it: NFC, lower-cased (Unicode's full
    /// lower-case mapping), NFC again.
    public static func fold(_ text: String) -> String { CanonicalJSON.nfc(CanonicalJSON.nfc(text).lowercased()) }

    /// The cap that governs an output of `product` made by `process`: the product's own cap, else the process's.
    public func processCap(process: String, product: String) -> ProcessCap? {
        let p = Self.fold(process)
        return processCaps[p + "|" + Self.fold(product)] ?? processCaps[p + "|"]
    }

    /// The cap that binds an output of `product` made by `process`: the process's own cap, or a
    /// lower cap the operator set for that product under any process. Naming a more generous
    /// process ("sorting" instead of "milling") must not lift a product's limit.
    public func bindingProcessCap(process: String, product: String) -> ProcessCap? {
        let folded = Self.fold(product)
        let own = processCap(process: process, product: product)
        guard !folded.isEmpty else { return own }
        let forProduct = processCaps.values.filter { $0.product.map(Self.fold) == folded }.min {
            ($0.yield, $0.seq) < ($1.yield, $1.seq)
        }
        guard let forProduct else { return own }
        guard let own else { return forProduct }
        return forProduct.yield < own.yield ? forProduct : own
    }

    /// The crop cap for a plot's crop, if any.
    public func cropCap(_ crop: String) -> CropCap? { cropCaps[Self.fold(crop)] }

    /// True when exports of `crop` to `country` need growing-area and packhouse codes.
    public func needsCodes(crop: String, country: String) -> CodeRequirement? {
        codeRequirements[Self.fold(crop) + "|" + country]
    }
}

/// The most kilograms a plot of `crop` may yield per hectare within `windowDays` days.
public struct CropCap: Sendable, Codable, Equatable {
    public let crop: String
    public let kgPerHa: Decimal
    public let windowDays: Int
    public let seq: UInt64
}

/// The most output per input `process` may claim, for one output `product` or for any.
public struct ProcessCap: Sendable, Codable, Equatable {
    public let process: String
    public let product: String?
    public let yield: Decimal
    public let seq: UInt64
}

/// Exports of `crop` to `destination` need every origin plot's growing-area code and every
/// processor's packhouse code.
public struct CodeRequirement: Sendable, Codable, Equatable {
    public let crop: String
    public let destination: String
    public let seq: UInt64
}

/// One harvest counted against a plot's crop cap.
public struct HarvestClaim: Sendable, Codable, Equatable {
    /// The lot it created.
    public let lot: String
    /// The harvest's UTC day, as days since 1970-01-01.
    public let day: Int64
    public let kilograms: Decimal
    /// The folded crop the plot had when it was harvested.
    public let crop: String
    public let seq: UInt64
}

/// A correction of a plot's or a party's registration: the values it changed, from what, by which entry.
public struct Amendment: Sendable, Codable, Equatable {
    public let seq: UInt64
    public let actor: String
    public let reason: String?
    /// Field name to [old, new] text.
    public let changes: [String: [String]]
}

extension OperatorRules: JSONStoredRecord {}
