import CanonicalJSON
import TraceCertificates
import TraceDomain
import TraceLedger

extension FuzzTarget {
    /// An origin certificate as a buyer receives it: read, written back to the same value, and
    /// checked offline against the seed ledger's operator key.
    static let certificate = FuzzTarget(name: "certificate") { bytes in
        guard let certificate = try? OriginCertificate(bytes: bytes) else { return }
        let again = (try? certificate.encoded()).flatMap { try? OriginCertificate(bytes: $0) }
        try require(again == certificate, "a certificate does not survive its own encoding")
        if let operatorKey { _ = CertificateVerifier(operatorKey: operatorKey).verify(certificate) }
    }

    /// A plot's GeoJSON (`--geometry`, `plot amend`, a submitted event): parsed, measured, and
    /// written back to the same geometry.
    static let geoJSON = FuzzTarget(name: "geojson") { bytes in
        guard let geometry = try? PlotGeometry(geojson: String(decoding: bytes, as: UTF8.self)) else { return }
        _ = GeodesicArea.hectares(geometry)
        _ = try? PlotGeometry(json: geometry.storedJSON, field: "stored")
        let again = try? PlotGeometry(geojson: geometry.geoJSONText)
        try require(again == geometry, "a plot's geometry does not survive its own GeoJSON text")
    }

    /// Field values typed by a clerk or sent in an event: quantities and units, lot codes, roles,
    /// times, container and GS1 numbers, the stats filter. The first byte picks the parser.
    static let fields = FuzzTarget(name: "fields") { bytes in
        guard let first = bytes.first else { return }
        let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
        switch first % 8 {
        case 0:
            // Finer than a milligram is accepted under release 2026.11's rules and refused from
            // 2026.12's (docs/RULES.md); only whole milligrams are written back unchanged.
            if let mass = try? Mass(text, unit: .kg), mass.isWholeMilligrams {
                try require((try? Mass(mass.decimalString, unit: .kg)) == mass, "a quantity changes when written back")
            }
        case 1: _ = try? MassUnit(parsing: text)
        case 2:
            if let code = try? LotCode(text) { try require((try? LotCode(code.description)) == code, "a lot code changes") }
        case 3: _ = try? Role(parsing: text)
        case 4: _ = Timestamp.parse(text)
        case 5: _ = (Identifiers.containerCheckDigit(text), Identifiers.isContainer(text), Identifiers.isCountry(text))
        case 6: _ = (try? GS1.gln(text), try? GS1.gtin14(text), GS1.hasValidCheckDigit(text))
        default:
            let parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            _ = try? StatsFilter(crop: parts.first, from: parts.dropFirst().first, to: parts.dropFirst(2).first)
        }
    }
}
