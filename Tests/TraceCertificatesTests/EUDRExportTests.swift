import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCertificates
import TraceCrypto
import TraceDomain
import TraceLedger

@Suite struct EUDRExportTests {
    /// The GeoJSON features of one file, parsed by Foundation (not our parser).
    func features(_ file: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(file.utf8)) as? [String: Any]
        #expect(object?["type"] as? String == "FeatureCollection")
        return object?["features"] as? [[String: Any]] ?? []
    }

    @Test(arguments: StoreKind.allCases) func originPlotsBecomeFeaturesWithTheRegulationsProperties(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        let result = try EUDRExport(chain: c.f.chain).export(lot: "RICE-1")
        #expect(result.files.count == 1 && result.plotCount == 2)
        #expect(result.commodity == nil)
        let all = try features(result.files[0])
        let properties = all.map { $0["properties"] as? [String: Any] ?? [:] }
        #expect(properties.map { $0["ProducerCountry"] as? String } == ["VN", "VN"])
        #expect(properties.map { $0["ProducerName"] as? String } == ["Nguyễn Văn Bảy", "Trần Thị Tám"])
        #expect(properties.map { ($0["Area"] as? NSNumber)?.doubleValue } == [2.5, 1.2])
        #expect((properties[0]["ProductionPlace"] as? String)?.hasPrefix("P-001, Tân Lập, Tây Ninh") == true)
        #expect(all.map { ($0["geometry"] as? [String: Any])?["type"] as? String } == ["Polygon", "Point"])
        // [longitude, latitude], six decimals, exactly as registered.
        #expect(result.files[0].contains("[106.512301,10.601102]") && result.files[0].contains("[106.630100,10.590200]"))
        // P-002 has a cultivation date before the cut-off and an evidence document; P-001 has neither.
        #expect(result.evidenceGaps.map(\.plot) == ["P-001"])
    }

    @Test(arguments: StoreKind.allCases) func anEUDRCommodityFromALargePointPlotIsRefusedNamingThePlot(_ store: StoreKind) throws
    {
        let f = try ChainFixture(store: store)
        let point = try PlotGeometry(geojson: #"{"type":"Point","coordinates":[107.5901,11.5402]}"#).storedJSON
        let polygon = try PlotGeometry(geojson: ChainFixture.polygon).storedJSON
        for (id, geometry, since) in [("CF-1", point, "2019-03-01"), ("CF-2", polygon, "2022-05-01")] {
            try f.submit(
                "htx-tan-lap", "plot.register",
                [
                    "plot": [
                        "id": .string(id), "farm": "nong-ho-bay", "crop": "cà phê robusta", "areaHa": "12", "geometry": geometry,
                        "cultivatedSince": .string(since),
                    ]
                ])
            try f.submit(
                "htx-tan-lap", "harvest",
                [
                    "lot": .string("CF-LOT-\(id)"), "product": "Cà phê nhân", "quantity": "3000", "unit": "kg",
                    "plot": .string(id), "harvested": "2026-07-01",
                ])
        }
        #expect(EUDRExport.commodity(of: "Cà phê nhân") == "coffee")
        #expect(EUDRExport.commodity(of: "Gạo ST25") == nil)
        #expect(EUDRExport.commodity(of: "Thanh long ruột đỏ") == nil)
        do {
            _ = try EUDRExport(chain: f.chain).export(lot: "CF-LOT-CF-1")
            Issue.record("a 12 ha coffee plot given as a point was exported")
        } catch let error as CertificateError {
            #expect(error.code == .eudrIncomplete)
            #expect(error.message.contains("CF-1 (12 ha)") && error.message.contains("coffee"), "\(error.message)")
        }
        let ok = try EUDRExport(chain: f.chain).export(lot: "CF-LOT-CF-2")
        #expect(ok.commodity == "coffee")
        #expect(ok.evidenceGaps.map(\.plot) == ["CF-2"])
        #expect(ok.evidenceGaps[0].reason.contains("after the cut-off 2020-12-31"))
    }

    @Test(arguments: StoreKind.allCases) func largeExportsAreSplitUnderTheFileLimit(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        let result = try EUDRExport(chain: c.f.chain, maxFileBytes: 400).export(lot: "RICE-1")
        #expect(result.files.count == 2)
        #expect(try result.files.map { try features($0).count } == [1, 1])
        #expect(result.files.allSatisfy { $0.utf8.count <= 400 })
    }

    @Test(arguments: StoreKind.allCases) func anErasedFarmerIsLeftOutOfProducerNameWithAWarning(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        _ = try PersonalData.forget(party: "nong-ho-tam", in: c.f.chain.ledger.store)
        let result = try EUDRExport(chain: c.f.chain).export(lot: "RICE-1")
        let names = try features(result.files[0]).map { ($0["properties"] as? [String: Any])?["ProducerName"] as? String }
        #expect(names == ["Nguyễn Văn Bảy", nil])
        #expect(result.warnings.contains { $0.contains("P-002") })
    }

    @Test(arguments: StoreKind.allCases) func theCountryMustBeAnISOCode(_ store: StoreKind) throws {
        let c = try ExportChain(store: store)
        #expect(throws: CertificateError.self) { try EUDRExport(chain: c.f.chain, country: "Vietnam") }
    }
}
