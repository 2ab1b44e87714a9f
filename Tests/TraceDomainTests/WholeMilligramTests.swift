import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceDomain
import TraceLedger

/// Release 2026.12's rule (docs/RULES.md, "Releases"): quantities are whole milligrams, from the
/// entry that adopts that release and never before.
struct WholeMilligramTests {
    /// The input `tools/fuzz fields` stopped on: accepted, then written back as another number.
    @Test func theFuzzersQuantityIsFinerThanAMilligramAndAWholeOneRoundTrips() throws {
        let fine = try Mass("0.00566899345668902", unit: .kg)
        #expect(!fine.isWholeMilligrams)
        #expect(fine.decimalString == "0.005669")
        for (text, unit) in [("0.005668", MassUnit.kg), ("1200.5", .kg), ("0.001", .g), ("14.2", .t)] {
            let mass = try Mass(text, unit: unit)
            #expect(mass.isWholeMilligrams, "\(text) \(unit)")
            #expect(try Mass(mass.decimalString, unit: .kg) == mass, "\(text) \(unit)")
        }
        #expect(!(try Mass("0.0001", unit: .g)).isWholeMilligrams)
    }

    /// A harvest of paddy from the fixture's plot P-001 (crop "lúa"), dated today.
    func harvest(_ f: ChainFixture, _ lot: String, _ quantity: String, unit: String = "kg") throws {
        try f.submit(
            "htx-tan-lap", "harvest",
            [
                "lot": .string(lot), "product": "lúa", "quantity": .string(quantity), "unit": .string(unit), "plot": "P-001",
                "harvested": .string(String(Timestamp.now().prefix(10))),
            ])
    }

    @Test(arguments: StoreKind.allCases) func onlyAnAdoptionOfTheNewReleaseRefusesFinerQuantities(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.submit("operator", "rules.adopt", ["release": "2026.11"])
        try f.submit("operator", "rules.process-cap", ["process": "drying", "yield": "0.95"])
        try harvest(f, "PD-1", "1000.0000001")
        #expect(f.chain.state.rules.wholeMilligramsSeq == nil)
        // A later adoption of an unversioned or older release changes nothing.
        try f.submit("operator", "rules.adopt", ["release": "release 7"])
        try harvest(f, "PD-2", "0.0000001")
        let adoption = try f.submit("operator", "rules.adopt", ["release": "2026.12"])
        #expect(f.chain.state.rules.wholeMilligramsSeq == adoption)
        let before = try f.size()
        let error = #expect(throws: DomainError.self) {
            try f.submit(
                "htx-tan-lap", "transform",
                [
                    "process": "drying", "yieldLimit": "0.95",
                    "inputs": [["lot": "PD-1", "quantity": "1000.0000001", "unit": "kg"]],
                    "outputs": [["lot": "DR-1", "product": "lúa khô", "quantity": "900", "unit": "kg"]],
                ])
        }
        #expect(error?.code == .badInput)
        #expect(
            error?.message.contains("inputs[0].quantity: 1000.0000001 kg is finer than a milligram") == true,
            "\(error?.message ?? "")")
        #expect(throws: DomainError.self) { try harvest(f, "PD-3", "0.0005", unit: "g") }
        #expect(throws: DomainError.self) { try harvest(f, "PD-3", "0.0000005", unit: "kg") }
        #expect(try f.size() == before, "a refusal must write nothing")
        try harvest(f, "PD-3", "0.001", unit: "g")
        #expect(try f.chain.verifyRules() == nil, "the ledger replays: the finer harvests came before the adoption")
    }
}
