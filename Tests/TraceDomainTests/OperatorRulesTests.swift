import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger

/// The operator's limits (docs/RULES.md): caps on harvests and transforms, plot checks, codes,
/// identifiers, corrections, each applying from the entry that enacts it and never before.
struct OperatorRulesTests {
    /// A square of 0.001 degrees at 10.6° N, about 1.21 ha.
    static let square =
        #"{"type":"Polygon","coordinates":[[[106.500000,10.600000],[106.501000,10.600000],[106.501000,10.601000],[106.500000,10.601000],[106.500000,10.600000]]]}"#

    static var today: String { String(Timestamp.now().prefix(10)) }

    func refused(_ f: ChainFixture, _ code: DomainError.Code, _ words: [String], _ body: () throws -> Void) throws {
        let before = try f.size()
        let error = #expect(throws: DomainError.self) { try body() }
        #expect(error?.code == code, "\(error?.message ?? "")")
        for w in words { #expect(error?.message.contains(w) == true, "\"\(error?.message ?? "")\" should say \"\(w)\"") }
        #expect(try f.size() == before, "a refusal must write nothing")
    }

    /// A fixture whose operator adopted the rules, with a plot P-010 of 1.2 ha of "Lúa ST25".
    func adopted(store: StoreKind = .sqlite) throws -> ChainFixture {
        let f = try ChainFixture(store: store)
        try f.submit("operator", "rules.adopt", ["release": "2026.11"])
        try f.submit(
            "htx-tan-lap", "plot.register",
            [
                "plot": [
                    "id": "P-010", "farm": "nong-ho-bay", "crop": "Lúa ST25", "areaHa": "1.2",
                    "geometry": try PlotGeometry(geojson: Self.square).storedJSON,
                ]
            ])
        return f
    }

    func harvest(_ f: ChainFixture, _ lot: String, _ kg: String, plot: String = "P-010", day: String = today) throws {
        try f.submit(
            "htx-tan-lap", "harvest",
            [
                "lot": .string(lot), "product": "Lúa ST25", "quantity": .string(kg), "unit": "kg", "plot": .string(plot),
                "harvested": .string(day),
            ])
    }

    @Test func geodesicAreaMatchesTheEllipsoidsIntegratedArea() throws {
        // Expected figures integrate the WGS 84 area element M(φ)·N(φ)·cos φ numerically
        // (an independent method); great-circle edges differ from parallels by about 3e-5 at 1°.
        let degree = try PlotGeometry(
            geojson: #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#)
        let cell = try #require(GeodesicArea.hectares(degree)) * 10_000
        #expect(abs(cell - 12_308_463_894.0) / 12_308_463_894.0 < 1e-4, "\(cell)")
        let plot = try #require(GeodesicArea.hectares(try PlotGeometry(geojson: ChainFixture.polygon)))
        #expect(abs(plot - 5.5974) < 0.001, "\(plot)")
        let small = try PlotGeometry(
            geojson: #"{"type":"Polygon","coordinates":[[[105,10],[105.001,10],[105.001,10.001],[105,10.001],[105,10]]]}"#)
        #expect(abs(try #require(GeodesicArea.hectares(small)) - 1.212695) < 0.0001)
        // Winding order does not matter, and a hole is taken away.
        let reversed = try PlotGeometry(
            geojson: #"{"type":"Polygon","coordinates":[[[105,10],[105,10.001],[105.001,10.001],[105.001,10],[105,10]]]}"#)
        #expect(abs(try #require(GeodesicArea.hectares(reversed)) - 1.212695) < 0.0001)
        #expect(GeodesicArea.hectares(try PlotGeometry(geojson: #"{"type":"Point","coordinates":[105,10]}"#)) == nil)
    }

    @Test func identifiersAreCheckedAgainstISOLists() {
        #expect(Identifiers.iso3166Alpha2.count == 249)
        #expect(Identifiers.isCountry("VN") && Identifiers.isCountry("DE") && !Identifiers.isCountry("XX"))
        // ISO 6346's own example, and a one-digit slip.
        #expect(Identifiers.isContainer("CSQU3054383"))
        #expect(!Identifiers.isContainer("CSQU3054384"))
        #expect(!Identifiers.isContainer("abc"))
        #expect(Identifiers.normalizedContainer("csqu 305438-3") == "CSQU3054383")
    }

    @Test(arguments: StoreKind.allCases) func aHarvestOverTheCropCapIsRefusedNamingPlotWindowAndFigures(_ store: StoreKind) throws
    {
        let f = try adopted(store: store)
        try f.submit("operator", "rules.crop-cap", ["crop": "LÚA st25", "kgPerHa": "9000", "windowDays": 120])
        try harvest(f, "C-1", "6000")
        try refused(
            f, .capExceeded,
            [
                "plot P-010", "1.2 ha", "10,800 kg", "9,000 kg/ha per 120 days", "6,000 kg is already recorded",
                "4,800 kg is left", "claims 5,000 kg",
            ]
        ) { try harvest(f, "C-2", "5000") }
        // A voided harvest no longer counts: without the void, 4,800 kg more would be 1 kg too many.
        let voidable = try f.submit(
            "htx-tan-lap", "harvest",
            [
                "lot": "C-3", "product": "Lúa ST25", "quantity": "1", "unit": "kg", "plot": "P-010",
                "harvested": .string(Self.today),
            ])
        try f.submit("htx-tan-lap", "void", ["entry": .int(Int(voidable)), "reason": "typed twice"])
        try harvest(f, "C-2", "4800")
        try refused(f, .capExceeded, ["0 kg is left"]) { try harvest(f, "C-4", "1") }
        #expect(try f.chain.verifyRules() == nil)
    }

    @Test(arguments: StoreKind.allCases) func aBackdatedHarvestCannotDoubleTheCapInAWindowThatEndsLater(_ store: StoreKind) throws
    {
        let f = try adopted(store: store)
        try f.submit("operator", "rules.crop-cap", ["crop": "lúa ST25", "kgPerHa": "1000", "windowDays": 120])
        // 1.2 ha: 1,200 kg a window. Today's harvest takes it all; one dated 20 days back would
        // share the window that ends today (an attacker review doubled the cap this way).
        let earlier = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() - 20 * 86_400_000).prefix(10))
        try harvest(f, "W-1", "1200")
        try refused(f, .capExceeded, ["1,200 kg is already recorded", "0 kg is left"]) {
            try harvest(f, "W-2", "1200", day: earlier)
        }
        #expect(try f.chain.verifyRules() == nil)
    }

    @Test(arguments: StoreKind.allCases) func aCropSpelledToEscapeItsCapOrAnotherCropsHarvestIsRefused(_ store: StoreKind) throws
    {
        let f = try adopted(store: store)
        try f.submit("operator", "rules.crop-cap", ["crop": "lúa ST25", "kgPerHa": "9000", "windowDays": 120])
        // "lúa ST25 " with a trailing space, or "lua ST25", names no capped crop: no such plot.
        for crop in ["lúa ST25 ", "lua ST25", "thanh long"] {
            try refused(f, .noCap, ["has no crop cap", "trace rules set-crop-cap"]) {
                try f.submit(
                    "htx-tan-lap", "plot.register",
                    [
                        "plot": [
                            "id": "P-099", "farm": "nong-ho-bay", "crop": .string(crop), "areaHa": "1.2",
                            "geometry": try PlotGeometry(geojson: Self.square).storedJSON,
                        ]
                    ])
            }
        }
        try refused(f, .noCap, ["has no crop cap"]) {
            try f.submit("htx-tan-lap", "plot.amend", ["plot": "P-010", "crop": "lúa ST25 ", "reason": "typo"])
        }
        // A plot of rice yields rice: dragon fruit named on it is refused (its own cap is larger).
        try refused(f, .badInput, ["is not plot P-010's crop"]) {
            try f.submit(
                "htx-tan-lap", "harvest",
                [
                    "lot": "DF-1", "product": "Thanh long ruột đỏ", "quantity": "100", "unit": "kg", "plot": "P-010",
                    "harvested": .string(Self.today),
                ])
        }
        try harvest(f, "OK-1", "100")
        #expect(try f.chain.verifyRules() == nil)
    }

    @Test(arguments: StoreKind.allCases) func aMoreGenerousProcessDoesNotLiftAProductsCap(_ store: StoreKind) throws {
        let f = try adopted(store: store)
        try f.submit("operator", "rules.process-cap", ["process": "milling", "yield": "0.70", "product": "Gạo ST25"])
        try f.submit("operator", "rules.process-cap", ["process": "sorting", "yield": "0.95"])
        try harvest(f, "PD-1", "1000")
        // Rice "sorted" out of paddy is still held to milling's 0.70 for that product.
        try refused(f, .capExceeded, ["may yield at most 700 kg of Gạo ST25", "operator's cap 0.7"]) {
            try f.submit(
                "htx-tan-lap", "transform",
                [
                    "process": "sorting", "yieldLimit": "1", "inputs": [["lot": "PD-1", "quantity": "1000", "unit": "kg"]],
                    "outputs": [["lot": "GS-1", "product": "gạo st25", "quantity": "900", "unit": "kg"]],
                ])
        }
        try f.submit(
            "htx-tan-lap", "transform",
            [
                "process": "sorting", "yieldLimit": "1", "inputs": [["lot": "PD-1", "quantity": "1000", "unit": "kg"]],
                "outputs": [["lot": "GS-2", "product": "Lúa ST25 loại 1", "quantity": "900", "unit": "kg"]],
            ])
        #expect(try f.chain.verifyRules() == nil)
    }

    @Test(arguments: StoreKind.allCases) func aVoidedHarvestsCodeMayBeUsedAgainOnlyByItsHarvester(_ store: StoreKind) throws {
        let f = try adopted(store: store)
        let first = try f.submit(
            "htx-tan-lap", "harvest",
            [
                "lot": "R-1", "product": "Lúa ST25", "quantity": "10", "unit": "kg", "plot": "P-010",
                "harvested": .string(Self.today),
            ])
        try f.submit("htx-tan-lap", "void", ["entry": .int(Int(first)), "reason": "wrong plot"])
        try refused(f, .lotExists, ["R-1 is already used"]) {
            try f.submit(
                "nong-ho-bay", "harvest",
                [
                    "lot": "R-1", "product": "Lúa ST25", "quantity": "10", "unit": "kg", "plot": "P-010",
                    "harvested": .string(Self.today),
                ])
        }
        try harvest(f, "R-1", "12")
        #expect(f.chain.state.lot("R-1")?.produced == Mass(kilograms: 12))
        // A lot that was handed on keeps its code for ever, voided or not.
        try harvest(f, "R-2", "5")
        let ship = try f.submit("htx-tan-lap", "ship", ["lot": "R-2", "to": "nha-may-xay-xat"])
        try f.submit("htx-tan-lap", "void", ["entry": .int(Int(ship)), "reason": "wrong truck"])
        #expect(try f.chain.verifyRules() == nil)
    }

    @Test(arguments: StoreKind.allCases) func backdatedHarvestsAndLargePointPlotsAreRefused(_ store: StoreKind) throws {
        let f = try adopted(store: store)
        try refused(f, .badTime, ["days before it is recorded", "at most 30 days"]) {
            try harvest(f, "B-1", "10", day: "2026-01-01")
        }
        let point = try PlotGeometry(geojson: #"{"type":"Point","coordinates":[106.5,10.6]}"#).storedJSON
        try refused(f, .areaMismatch, ["5 ha", "polygon"]) {
            try f.submit(
                "htx-tan-lap", "plot.register",
                ["plot": ["id": "P-011", "farm": "nong-ho-bay", "crop": "lúa", "areaHa": "5", "geometry": point]])
        }
        try refused(f, .areaMismatch, ["declares 12 ha", "measures 1.21", "within 15%"]) {
            try f.submit(
                "htx-tan-lap", "plot.register",
                [
                    "plot": [
                        "id": "P-012", "farm": "nong-ho-bay", "crop": "lúa", "areaHa": "12",
                        "geometry": try PlotGeometry(geojson: Self.square).storedJSON,
                    ]
                ])
        }
    }

    @Test(arguments: StoreKind.allCases) func transformsNeedTheOperatorsProcessCapOnceAdopted(_ store: StoreKind) throws {
        let f = try adopted(store: store)
        try harvest(f, "T-1", "10000")
        let milling: [String: JSONValue] = [
            "process": "Milling", "yieldLimit": "1", "inputs": [["lot": "T-1", "quantity": "10000", "unit": "kg"]],
            "outputs": [["lot": "T-2", "product": "Gạo ST25", "quantity": "10000", "unit": "kg"]],
        ]
        try refused(f, .noCap, ["no yield cap for process \"Milling\""]) { try f.submit("htx-tan-lap", "transform", milling) }
        try f.submit("operator", "rules.process-cap", ["process": "milling", "yield": "0.70"])
        try refused(f, .capExceeded, ["at most 7,000 kg", "operator's cap 0.7", "claim 10,000 kg"]) {
            try f.submit("htx-tan-lap", "transform", milling)
        }
        // The most specific cap wins: a product's own cap over the process's.
        try f.submit("operator", "rules.process-cap", ["process": "milling", "product": "gạo st25", "yield": "0.65"])
        var ok = milling
        ok["outputs"] = [["lot": "T-2", "product": "Gạo ST25", "quantity": "6800", "unit": "kg"]]
        try refused(f, .capExceeded, ["at most 6,500 kg"]) { try f.submit("htx-tan-lap", "transform", ok) }
        ok["outputs"] = [["lot": "T-2", "product": "Gạo ST25", "quantity": "6500", "unit": "kg"]]
        try f.submit("htx-tan-lap", "transform", ok)
        #expect(try f.chain.verifyRules() == nil)
    }

    @Test(arguments: StoreKind.allCases) func rulesDoNotApplyToEntriesBeforeTheirEntry(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        // Before adoption: a 12 ha claim on a 1.2 ha polygon, a transform with no cap, an odd container.
        try f.submit(
            "htx-tan-lap", "plot.register",
            [
                "plot": [
                    "id": "P-020", "farm": "nong-ho-bay", "crop": "Lúa ST25", "areaHa": "12",
                    "geometry": try PlotGeometry(geojson: Self.square).storedJSON,
                ]
            ])
        try harvest(f, "O-1", "50000", plot: "P-020", day: "2026-01-01")
        try f.submit(
            "htx-tan-lap", "transform",
            [
                "process": "milling", "yieldLimit": "1", "inputs": [["lot": "O-1", "quantity": "50000"]],
                "outputs": [["lot": "O-2", "product": "Gạo", "quantity": "50000"]],
            ])
        try f.submit("operator", "rules.adopt", ["release": "2026.11"])
        try f.submit("operator", "rules.crop-cap", ["crop": "lúa st25", "kgPerHa": "9000", "windowDays": 120])
        #expect(try f.chain.verifyRules() == nil)
        // From the cap's entry on, the same plot is held to it (12 ha declared then: 108,000 kg).
        try harvest(f, "O-3", "100000", plot: "P-020")
        try refused(f, .capExceeded, ["8,000 kg is left"]) { try harvest(f, "O-4", "9000", plot: "P-020") }
    }

    @Test(arguments: StoreKind.allCases) func exportsNeedCodesCountriesAndContainersOnceRequired(_ store: StoreKind) throws {
        let f = try adopted(store: store)
        try f.submit("operator", "rules.process-cap", ["process": "drying", "yield": "0.9"])
        try f.submit("operator", "rules.require-codes", ["crop": "lúa st25", "destination": "CN"])
        try harvest(f, "E-1", "1000")
        try f.submit("htx-tan-lap", "ship", ["lot": "E-1", "to": "nha-may-xay-xat"])
        try f.submit("nha-may-xay-xat", "receive", ["lot": "E-1"])
        try f.submit("nha-may-xay-xat", "ship", ["lot": "E-1", "to": "vinarice-export"])
        try f.submit("vinarice-export", "receive", ["lot": "E-1"])
        let export: [String: JSONValue] = ["lot": "E-1", "buyer": "Shanghai Foods", "country": "CN", "container": "CSQU3054383"]
        try refused(f, .codeMissing, ["growing-area codes", "plot P-010 has none"]) {
            try f.submit("vinarice-export", "export", export)
        }
        try f.submit("htx-tan-lap", "plot.amend", ["plot": "P-010", "growingAreaCode": "VN-LAOR-0107", "reason": "code issued"])
        try refused(f, .codeMissing, ["packhouse codes", "nha-may-xay-xat has none"]) {
            try f.submit("vinarice-export", "export", export)
        }
        try f.submit("operator", "party.amend", ["party": "nha-may-xay-xat", "packhouseCode": "VN-LAPH-0012"])
        var bad = export
        bad["country"] = "XX"
        try refused(f, .badInput, ["\"XX\" is not an assigned ISO 3166-1"]) { try f.submit("vinarice-export", "export", bad) }
        bad = export
        bad["container"] = "CSQU3054384"
        try refused(f, .badInput, ["ISO 6346", "check digit would be 3"]) { try f.submit("vinarice-export", "export", bad) }
        try f.submit("vinarice-export", "export", export)
        #expect(try f.chain.verifyRules() == nil)
    }

    @Test(arguments: StoreKind.allCases) func plotAmendmentsChangeWhatLaterRulesAndTheLineageSee(_ store: StoreKind) throws {
        let f = try adopted(store: store)
        try f.submit("operator", "rules.crop-cap", ["crop": "lúa st25", "kgPerHa": "9000", "windowDays": 120])
        try refused(f, .roleNotAllowed, ["may not amend plots"]) {
            try f.submit("nha-may-xay-xat", "plot.amend", ["plot": "P-010", "areaHa": "1.1"])
        }
        try refused(f, .areaMismatch, ["declares 3 ha"]) {
            try f.submit("htx-tan-lap", "plot.amend", ["plot": "P-010", "areaHa": "3"])
        }
        try harvest(f, "A-1", "10000")
        try f.submit("htx-tan-lap", "plot.amend", ["plot": "P-010", "areaHa": "1.1", "reason": "surveyed again"])
        // 1.1 ha now: 9,900 kg in the window, 10,000 kg already recorded.
        try refused(f, .capExceeded, ["0 kg is left"]) { try harvest(f, "A-2", "1") }
        let lineage = try Lineage(chain: f.chain, lot: "A-1")
        let plot = lineage.summary(lineage.root)["plot"]
        #expect(plot?["areaHa"]?.stringValue == "1.1")
        #expect(plot?["corrections"]?.arrayValue?.first?["changes"]?["areaHa"]?["from"]?.stringValue == "1.2")
        #expect(plot?["corrections"]?.arrayValue?.first?["reason"]?.stringValue == "surveyed again")
        #expect(try f.chain.verifyRules() == nil)
    }

    @Test(arguments: StoreKind.allCases) func personIdsAreOpaqueOnceAdopted(_ store: StoreKind) throws {
        let f = try adopted(store: store)
        try refused(f, .notOpaque, ["nong-ho-tam", "p- and 4 to 62"]) {
            try f.register("nong-ho-tam", roles: ["farm"], personal: ["name": "Lê Văn Tám"], memberOf: "htx-tan-lap")
        }
        try f.register("p-7k3m9q2x", roles: ["farm"], personal: ["name": "Lê Văn Tám"], memberOf: "htx-tan-lap")
        try f.submit(
            "operator", "party.amend",
            ["party": "p-7k3m9q2x", "personal": ["name": .string(Commitment(value: "Lê Văn Tâm").digest.hex)]])
        #expect(f.chain.state.parties["p-7k3m9q2x"]?.amendments.count == 1)
        #expect(try f.chain.verifyRules() == nil)
    }
}
