import CanonicalJSON
public import Foundation
public import TraceDomain
import TraceLedger

/// The origin plots of a lot as the GeoJSON the EU Information System takes for a due diligence
/// statement under Regulation (EU) 2023/1115 (sources in docs/EUDR.md): a FeatureCollection,
/// [longitude, latitude] with six decimals, a polygon for every plot over 4 ha, and the
/// properties ProducerCountry, ProducerName, ProductionPlace and Area.
public struct EUDRExport {
    /// The regulation's deforestation cut-off date.
    public static let cutOff = "2020-12-31"
    /// The most the Information System takes in one file.
    public static let maxFileBytes = 25_000_000
    /// Above this area a plot must be a polygon (Article 2(28)); cattle excepted.
    public static let pointLimitHa: Decimal = 4

    /// The commodities the regulation covers, with the words (English and Vietnamese) that name
    /// them or common products of Annex I made from them.
    public static let commodities: [(name: String, words: [String])] = [
        ("cattle", ["cattle", "beef", "leather", "bò", "gia súc", "da thuộc"]),
        ("cocoa", ["cocoa", "cacao", "ca cao", "chocolate", "sô cô la", "socola"]),
        ("coffee", ["coffee", "cà phê", "robusta", "arabica"]),
        ("oil palm", ["oil palm", "palm oil", "palm kernel", "cọ dầu", "dầu cọ"]),
        ("rubber", ["rubber", "latex", "cao su"]),
        ("soya", ["soya", "soy", "đậu nành", "đậu tương"]),
        ("wood", ["wood", "timber", "furniture", "paper", "charcoal", "gỗ", "nội thất", "than củi", "acacia"]),
    ]

    /// The EUDR commodity a product or crop name is, if any.
    public static func commodity(of text: String) -> String? {
        let t = CanonicalJSON.nfc(text).lowercased()
        return commodities.first { c in
            c.words.contains { w in
                // A word's start must be a word's start ("bò" not inside another word); its end may
                // run on, for plurals and compounds ("soybeans", "wooden").
                t.range(of: "(^|[^\\p{L}])\(NSRegularExpression.escapedPattern(for: w))", options: .regularExpression) != nil
            }
        }?.name
    }

    /// A plot the exporter still has to document before filing.
    public struct EvidenceGap: Sendable, Equatable {
        public let plot: String
        public let reason: String
    }

    /// What an export produced.
    public struct Result: Sendable {
        /// The GeoJSON files' contents; more than one when the plots exceed 25 MB.
        public let files: [String]
        public let plotCount: Int
        /// The EUDR commodity, or nil when the product is not one.
        public let commodity: String?
        /// Plots without cut-off evidence (a cultivation date on or before 31 December 2020 and
        /// an evidence document's hash).
        public let evidenceGaps: [EvidenceGap]
        /// Things worth knowing that do not stop the export.
        public let warnings: [String]
    }

    let chain: SupplyChain
    let country: String
    let commodity: String?
    let maxFileBytes: Int

    /// `country` is the ISO 3166-1 alpha-2 producer country (the ledger's parties are in Vietnam);
    /// `commodity` overrides the detection from product and crop names (the exporter knows the HS code).
    public init(
        chain: SupplyChain, country: String = "VN", commodity: String? = nil, maxFileBytes: Int = EUDRExport.maxFileBytes
    ) throws {
        guard country.count == 2, country.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw CertificateError(.badInput, "--country: \"\(country)\" is not an ISO 3166-1 alpha-2 code like VN")
        }
        if let commodity, !Self.commodities.contains(where: { $0.name == commodity }) && commodity != "none" {
            throw CertificateError(
                .badInput,
                "--commodity: \"\(commodity)\" is not one of \(Self.commodities.map(\.name).joined(separator: ", ")) (or none)")
        }
        self.chain = chain
        self.country = country
        self.commodity = commodity
        self.maxFileBytes = maxFileBytes
    }

    public func export(lot code: String) throws -> Result {
        let lineage = try Lineage(chain: chain, lot: code)
        let lots = [lineage.root] + lineage.upstreamLots
        var plotIDs: [String] = []
        for lot in lots { if let p = lot.plot, !plotIDs.contains(p) { plotIDs.append(p) } }
        var plots: [PlotRecord] = []
        for id in plotIDs {
            // A harvest names a registered plot; one that cannot be read is refused, never left out.
            guard let plot = chain.state.plots[id] else {
                throw CertificateError(.eudrIncomplete, "plot \(id) of lot \(code)'s lineage cannot be read; run `trace verify`")
            }
            plots.append(plot)
        }
        plots.sort { $0.id < $1.id }
        guard !plots.isEmpty else {
            throw CertificateError(.eudrIncomplete, "LOT: lot \(code) has no origin plot to export")
        }
        let detected =
            ([lineage.root.product] + lots.map(\.product) + plots.map(\.crop)).lazy.compactMap { Self.commodity(of: $0) }.first
        let commodity = self.commodity.map { $0 == "none" ? nil : $0 } ?? detected
        var warnings: [String] = []
        // Article 2(28): a point is enough only up to 4 ha (cattle are geolocated by establishment).
        let pointsTooLarge = plots.filter { $0.geometry.kind == .point && $0.areaHa > Self.pointLimitHa }
        if !pointsTooLarge.isEmpty {
            let list = pointsTooLarge.map { "\($0.id) (\(NSDecimalNumber(decimal: $0.areaHa).stringValue) ha)" }.joined(
                separator: ", ")
            if let commodity, commodity != "cattle" {
                throw CertificateError(
                    .eudrIncomplete,
                    "lot \(lineage.root.code) is \(commodity), an EUDR commodity, and these plots over 4 ha are points, not polygons: \(list); register each plot's boundary with `trace plot add --geometry`"
                )
            }
            warnings.append("plots over 4 ha given as points (a polygon would be needed for an EUDR commodity): \(list)")
        }
        var gaps: [EvidenceGap] = []
        var features: [String] = []
        for plot in plots {
            if let since = plot.cultivatedSince, since > Self.cutOff {
                gaps.append(
                    EvidenceGap(
                        plot: plot.id,
                        reason:
                            "cultivated since \(since), after the cut-off \(Self.cutOff): evidence is needed that it was not forest then"
                    ))
            } else if plot.cultivatedSince == nil || plot.evidenceSHA256 == nil {
                gaps.append(
                    EvidenceGap(
                        plot: plot.id,
                        reason: plot.cultivatedSince == nil
                            ? "no date since which it is cultivated, and no evidence document"
                            : "cultivated since \(plot.cultivatedSince!), but no evidence document is recorded"))
            }
            features.append(try feature(plot, warnings: &warnings))
        }
        if let large = features.first(where: { $0.utf8.count + 64 > maxFileBytes }) {
            throw CertificateError(
                .eudrIncomplete,
                "one plot's feature alone is \(large.utf8.count) bytes, over the \(maxFileBytes)-byte file limit; simplify its boundary"
            )
        }
        return Result(
            files: split(features), plotCount: plots.count, commodity: commodity, evidenceGaps: gaps, warnings: warnings)
    }

    private func feature(_ plot: PlotRecord, warnings: inout [String]) throws -> String {
        var properties: [(String, String)] = [
            ("ProducerCountry", json(country)),
            ("Area", NSDecimalNumber(decimal: plot.areaHa).stringValue),
        ]
        if let name = try producerName(plot.farm) {
            properties.append(("ProducerName", json(name)))
        } else {
            warnings.append("plot \(plot.id): the farmer's name is not held (erased or never given); ProducerName is left out")
        }
        let coop = chain.state.parties[plot.cooperative]
        let place = [plot.id, (chain.state.parties[plot.farm]?.address ?? coop?.address)?.line].compactMap { $0 }
        properties.append(("ProductionPlace", json(place.joined(separator: ", "))))
        let props = properties.sorted { $0.0 < $1.0 }.map { "\(json($0.0)):\($0.1)" }.joined(separator: ",")
        return "{\"type\":\"Feature\",\"properties\":{\(props)},\"geometry\":\(plot.geometry.geoJSONText)}"
    }

    /// An organisation's name, or a person's name from the clear personal data beside the ledger.
    private func producerName(_ id: String) throws -> String? {
        guard let party = chain.state.parties[id] else { return nil }
        if let name = party.name { return name }
        guard let commitment = party.personal["name"] else { return nil }
        return try PersonalData.lookup(commitment, in: chain.ledger.store)?.value
    }

    private func json(_ s: String) -> String { String(decoding: CanonicalJSON.encodeString(s), as: UTF8.self) }

    /// Features packed into as few FeatureCollections as fit under the size limit.
    private func split(_ features: [String]) -> [String] {
        let head = "{\"type\":\"FeatureCollection\",\"features\":["
        let tail = "]}\n"
        var files: [String] = []
        var current: [String] = []
        var bytes = head.utf8.count + tail.utf8.count
        for f in features {
            let size = f.utf8.count + 1
            if !current.isEmpty, bytes + size > maxFileBytes {
                files.append(head + current.joined(separator: ",") + tail)
                current = []
                bytes = head.utf8.count + tail.utf8.count
            }
            current.append(f)
            bytes += size
        }
        files.append(head + current.joined(separator: ",") + tail)
        return files
    }
}
