import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger

/// Every rule both ways: the event that keeps it is accepted, the one that breaks it is refused
/// with a message a clerk can act on, and a refusal writes nothing.
struct RuleTests {
    /// Expects `body` to be refused with `code` and a message containing `words`, writing nothing.
    func refused(_ f: ChainFixture, _ code: DomainError.Code, _ words: String, _ body: () throws -> Void) throws {
        let before = try f.size()
        let error = #expect(throws: DomainError.self) { try body() }
        #expect(error?.code == code, "\(error?.message ?? "")")
        #expect(error?.message.contains(words) == true, "\"\(error?.message ?? "")\" should say \"\(words)\"")
        #expect(try f.size() == before, "a refusal must write nothing")
    }

    @Test(arguments: StoreKind.allCases) func decimalsAreReadStrictly(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        // Foundation's Decimal(string:) reads "0.7x" as 0.7 and "1,5" as 1: a typo must be refused instead.
        for text in ["0.7x", "7e-1", " 0.7", "1,5", ".5", "-1"] { #expect(Mass.decimal(text) == nil, "\(text)") }
        #expect(Mass.decimal("0.65") == Decimal(string: "0.65"))
        try f.harvest("Y-1", "1000")
        try f.submit("htx-tan-lap", "ship", ["lot": "Y-1", "to": "nha-may-xay-xat"])
        try f.submit("nha-may-xay-xat", "receive", ["lot": "Y-1"])
        try refused(f, .badInput, "yieldLimit") {
            try f.submit(
                "nha-may-xay-xat", "transform",
                [
                    "process": "milling", "yieldLimit": "0.7x", "inputs": [["lot": "Y-1", "quantity": "1000", "unit": "kg"]],
                    "outputs": [["lot": "Y-2", "product": "Gạo", "quantity": "600", "unit": "kg"]],
                ])
        }
        let point = try PlotGeometry(geojson: #"{"type":"Point","coordinates":[106.5,10.6]}"#).storedJSON
        try refused(f, .badInput, "areaHa") {
            try f.submit(
                "htx-tan-lap", "plot.register",
                ["plot": ["id": "P-9", "farm": "nong-ho-bay", "crop": "lúa", "areaHa": "1,5", "geometry": point]])
        }
    }

    @Test(arguments: StoreKind.allCases) func emptyNamesEmptyLotsAndImpossibleOffsetsAreRefused(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try refused(f, .badInput, "name is empty") { try f.register("blank", roles: ["processor"], name: "  ") }
        let point = try PlotGeometry(geojson: #"{"type":"Point","coordinates":[106.5,10.6]}"#).storedJSON
        try refused(f, .badInput, "plot.crop") {
            try f.submit(
                "htx-tan-lap", "plot.register",
                ["plot": ["id": "P-8", "farm": "nong-ho-bay", "crop": " ", "areaHa": "1", "geometry": point]])
        }
        try f.harvest("M-1", "100")
        try f.harvest("M-2", "100")
        try f.submit("htx-tan-lap", "split", ["lot": "M-2", "outputs": [["lot": "M-3", "quantity": "100"]]])
        try refused(f, .overdrawn, "M-2 is used up") {
            try f.submit("htx-tan-lap", "merge", ["inputs": [["lot": "M-1"], ["lot": "M-2"]], "output": "M-4"])
        }
        try refused(f, .badInput, "each input lot once") {
            try f.submit("htx-tan-lap", "merge", ["inputs": [["lot": "M-1"], ["lot": "m-1"]], "output": "M-4"])
        }
        #expect(Timestamp.parse("2026-07-01T07:30:00+99:99") == nil)
        // A person's address would be personal data in an entry that can never be erased.
        let key = try PrivateKey.generate()
        let person = SupplyChain.event(
            "party.register", actor: "operator",
            [
                "party": [
                    "id": "nong-ho-tu", "roles": ["farm"], "personal": ["name": .string(Commitment(value: "Tư").digest.hex)],
                    "key": .string(try VerifierKey(name: "nong-ho-tu", publicKey: key.publicKey).description),
                    "address": ["province": "Tây Ninh", "commune": "Tân Lập", "asWritten": "ấp 3, số nhà 12"],
                ]
            ])
        try refused(f, .badInput, "a person's address is personal data") {
            _ = try f.chain.submit([try f.chain.sign(person, with: f.operatorKey)])
        }
        #expect(Timestamp.parse("2026-07-01T07:30:00+07:00") != nil)
    }

    @Test(arguments: StoreKind.allCases) func lotCodesAreUniqueIgnoringCase(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.harvest("LA-ST25-0007")
        try refused(f, .lotExists, "LA-st25-0007 is already used") { try f.harvest("LA-st25-0007") }
        try refused(f, .badInput, "lot code") { try f.harvest("LA ST25/7") }
        try refused(f, .badInput, "lot code") { try f.harvest("LA-ST25-0007-EXTRA-LONG-X") }
    }

    @Test(arguments: StoreKind.allCases) func onlyTheCustodianActsOnALot(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.harvest("LOT-1")
        try refused(f, .notCustodian, "its custodian is htx-tan-lap") {
            try f.submit("nha-may-xay-xat", "ship", ["lot": "LOT-1", "to": "vinarice-export"])
        }
        try f.submit("htx-tan-lap", "ship", ["lot": "LOT-1", "to": "nha-may-xay-xat"])
        #expect(f.chain.state.lot("lot-1")?.custodian == "htx-tan-lap")
    }

    @Test(arguments: StoreKind.allCases) func aLotNeverGivesOutMoreThanItHoldsInAnyUnit(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.harvest("LA-ST25-0007", "1.2", unit: "t")
        let split: ([JSONValue], String) throws -> Void = { outputs, lot in
            try f.submit("htx-tan-lap", "split", ["lot": .string(lot), "outputs": .array(outputs)])
        }
        try refused(f, .overdrawn, "lot LA-ST25-0007 holds 1,200 kg; this split asks for 1,500 kg") {
            try split(
                [["lot": "A1", "quantity": "10", "unit": "tạ"], ["lot": "A2", "quantity": "500", "unit": "kg"]], "LA-ST25-0007")
        }
        try split(
            [["lot": "A1", "quantity": "7", "unit": "tạ"], ["lot": "A2", "quantity": "0.5", "unit": "t"]], "LA-ST25-0007")
        #expect(f.chain.state.lot("LA-ST25-0007")?.held == .zero)
        #expect(f.chain.state.lot("A2")?.held.kilograms == 500)
        // Decimal arithmetic: 0.1 + 0.2 is exactly 0.3.
        try f.harvest("DEC", "0.3")
        try split([["lot": "D1", "quantity": "0.1"], ["lot": "D2", "quantity": "0.2"]], "DEC")
        #expect(f.chain.state.lot("DEC")?.held == .zero)
    }

    @Test(arguments: StoreKind.allCases) func transformOutputsAtMostInputsTimesTheYieldLimit(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.harvest("PADDY-1", "1000")
        try f.submit("htx-tan-lap", "ship", ["lot": "PADDY-1", "to": "nha-may-xay-xat"])
        try f.submit("nha-may-xay-xat", "receive", ["lot": "PADDY-1"])
        let mill: (String) throws -> Void = { quantity in
            try f.submit(
                "nha-may-xay-xat", "transform",
                [
                    "process": "milling", "yieldLimit": "0.7",
                    "inputs": [["lot": "PADDY-1", "quantity": "1000", "unit": "kg"]],
                    "outputs": [["lot": "RICE-1", "product": "Gạo ST25", "quantity": .string(quantity), "unit": "kg"]],
                ])
        }
        try refused(f, .yieldExceeded, "milling of 1,000 kg may yield at most 700 kg (yield limit 0.7); the outputs claim 750 kg")
        {
            try mill("750")
        }
        try mill("650")
        #expect(f.chain.state.lot("RICE-1")?.parents == ["PADDY-1"])
        #expect(f.chain.state.lot("PADDY-1")?.children == ["RICE-1"])
    }

    @Test(arguments: StoreKind.allCases) func receiveOnlyWhatWasShippedToYou(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.harvest("LOT-2")
        try refused(f, .notShippedToYou, "was not shipped to nha-may-xay-xat") {
            try f.submit("nha-may-xay-xat", "receive", ["lot": "LOT-2"])
        }
        try f.submit("htx-tan-lap", "ship", ["lot": "LOT-2", "to": "vinarice-export"])
        try refused(f, .notShippedToYou, "was not shipped to nha-may-xay-xat") {
            try f.submit("nha-may-xay-xat", "receive", ["lot": "LOT-2"])
        }
        try refused(f, .lotNotActive, "in transit to vinarice-export") {
            try f.submit("htx-tan-lap", "split", ["lot": "LOT-2", "outputs": [["lot": "X", "quantity": "1"]]])
        }
        try f.submit("vinarice-export", "receive", ["lot": "LOT-2"])
        #expect(f.chain.state.lot("LOT-2")?.custodian == "vinarice-export")
    }

    @Test(arguments: StoreKind.allCases) func theSignersRoleMustFitTheEvent(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try refused(f, .roleNotAllowed, "may not record a harvest") {
            try f.submit(
                "nha-may-xay-xat", "harvest",
                [
                    "lot": "L", "product": "Lúa", "quantity": "1", "unit": "kg", "plot": "P-001", "harvested": "2026-07-01",
                ])
        }
        try f.harvest("LOT-3")
        try refused(f, .roleNotAllowed, "may not certify lots") {
            try f.submit(
                "htx-tan-lap", "certify",
                ["lot": "LOT-3", "scheme": "VietGAP", "documentSha256": .string(String(repeating: "ab", count: 32))])
        }
        try f.submit(
            "vietgap-cert", "certify",
            ["lot": "LOT-3", "scheme": "VietGAP", "documentSha256": .string(String(repeating: "ab", count: 32))])
        try refused(f, .roleNotAllowed, "may not register parties") {
            try f.submit("htx-tan-lap", "party.register", ["party": ["id": "x", "roles": ["farm"], "name": "X", "key": "k"]])
        }
        try refused(f, .roleNotAllowed, "may not export lots") {
            try f.submit(
                "htx-tan-lap", "export", ["lot": "LOT-3", "buyer": "hamburg-foods", "country": "DE", "container": "MSCU1234565"])
        }
    }

    @Test(arguments: StoreKind.allCases) func eventTimeNotAfterRecordingNorBeforeItsInputs(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try refused(f, .badTime, "is after the ledger recorded it") {
            try f.submit(
                "htx-tan-lap", "harvest",
                [
                    "lot": "T1", "product": "Lúa", "quantity": "1", "unit": "kg", "plot": "P-001", "harvested": "2026-07-01",
                ], time: Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 3_600_000))
        }
        try f.submit(
            "htx-tan-lap", "harvest",
            [
                "lot": "T1", "product": "Lúa", "quantity": "1", "unit": "kg", "plot": "P-001", "harvested": "2026-07-01",
            ], time: Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 60_000))  // within the stated skew
        try refused(f, .badTime, "before lot T1's last event") {
            try f.submit("htx-tan-lap", "ship", ["lot": "T1", "to": "nha-may-xay-xat"], time: "2026-01-01T00:00:00Z")
        }
    }

    @Test(arguments: StoreKind.allCases) func keyRotationAndRevocation(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.harvest("K1")
        let oldKey = f.keys["htx-tan-lap"]!
        let newKey = try PrivateKey.generate()
        try f.submit(
            "operator", "party.rotate",
            [
                "party": "htx-tan-lap",
                "key": .string(try VerifierKey(name: "htx-tan-lap", publicKey: newKey.publicKey).description),
            ])
        // The old key signs nothing new; what it signed before stays valid.
        let stale = try SignedEvent.sign(
            SupplyChain.event("ship", actor: "htx-tan-lap", ["lot": "K1", "to": "nha-may-xay-xat"]), with: oldKey,
            keyName: "htx-tan-lap")
        try refused(f, .keyNotValid, "was revoked or replaced") { _ = try f.chain.submit([stale]) }
        f.keys["htx-tan-lap"] = newKey
        try f.submit("htx-tan-lap", "ship", ["lot": "K1", "to": "nha-may-xay-xat"])
        try f.submit("operator", "party.revoke", ["party": "htx-tan-lap", "reason": "laptop stolen"])
        let revoked = try SignedEvent.sign(
            SupplyChain.event(
                "harvest", actor: "htx-tan-lap",
                [
                    "lot": "K2", "product": "Lúa", "quantity": "1", "unit": "kg", "plot": "P-001", "harvested": "2026-07-01",
                ]), with: newKey, keyName: "htx-tan-lap")
        try refused(f, .keyNotValid, "was revoked or replaced") { _ = try f.chain.submit([revoked]) }
        // The CLI's signer lookup refuses it before it is even signed.
        #expect(throws: DomainError.self) { try f.chain.signer(for: newKey) }
        // A key never registered is refused too.
        let stranger = try SignedEvent.sign(
            SupplyChain.event("harvest", actor: "htx-tan-lap", ["lot": "K3"]), with: try PrivateKey.generate(),
            keyName: "htx-tan-lap")
        try refused(f, .keyNotValid, "is not registered to htx-tan-lap") { _ = try f.chain.submit([stranger]) }
        // And the whole ledger, replayed, keeps every rule: the entries signed before revocation stand.
        #expect(try f.chain.verifyRules() == nil)
    }

    @Test(arguments: StoreKind.allCases) func voidCancelsAMistakeWithANewEntry(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.harvest("V1", "500")
        let harvest = try f.size() - 1
        try refused(f, .roleNotAllowed, "only they or the operator") {
            try f.submit("nha-may-xay-xat", "void", ["entry": .int(Int(harvest)), "reason": "typo"])
        }
        try f.submit("htx-tan-lap", "void", ["entry": .int(Int(harvest)), "reason": "wrong quantity"])
        #expect(f.chain.state.lot("V1")?.status == .voided)
        try refused(f, .cannotVoid, "already voided") {
            try f.submit("htx-tan-lap", "void", ["entry": .int(Int(harvest)), "reason": "again"])
        }
        // A shipment not yet received can be voided; a received one cannot.
        try f.harvest("V2")
        let ship = try f.submit("htx-tan-lap", "ship", ["lot": "V2", "to": "nha-may-xay-xat"])
        try f.submit("htx-tan-lap", "void", ["entry": .int(Int(ship)), "reason": "wrong truck"])
        #expect(f.chain.state.lot("V2")?.status == .active)
        let ship2 = try f.submit("htx-tan-lap", "ship", ["lot": "V2", "to": "nha-may-xay-xat"])
        try f.submit("nha-may-xay-xat", "receive", ["lot": "V2"])
        try refused(f, .cannotVoid, "already received") {
            try f.submit("htx-tan-lap", "void", ["entry": .int(Int(ship2)), "reason": "late"])
        }
        #expect(try f.chain.verifyRules() == nil)
    }

    @Test(arguments: StoreKind.allCases) func idempotentResubmission(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        let event = SupplyChain.event(
            "harvest", actor: "htx-tan-lap", id: "coop-2026-0001",
            [
                "lot": "R1", "product": "Lúa ST25", "quantity": "10", "unit": "kg", "plot": "P-001", "harvested": "2026-07-01",
            ])
        let signed = try f.chain.sign(event, with: f.keys["htx-tan-lap"]!)
        let first = try f.chain.submit([signed])
        let size = try f.size()
        let again = try f.chain.submit([signed])
        #expect(again[0].duplicate && again[0].entry.seq == first[0].entry.seq)
        #expect(try f.size() == size)
    }

    @Test(arguments: StoreKind.allCases) func aBatchWithOneBadEventWritesNothing(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        let key = f.keys["htx-tan-lap"]!
        let events = try ["B1", "B2", "B1"].map {
            try f.chain.sign(
                SupplyChain.event(
                    "harvest", actor: "htx-tan-lap",
                    [
                        "lot": .string($0), "product": "Lúa", "quantity": "1", "unit": "kg", "plot": "P-001",
                        "harvested": "2026-07-01",
                    ]), with: key)
        }
        try refused(f, .lotExists, "B1 is already used") { _ = try f.chain.submit(events) }
        #expect(f.chain.state.lot("B1") == nil)
        _ = try f.chain.submit(Array(events.prefix(2)))
        #expect(f.chain.state.lot("B2") != nil)
    }

    @Test func plotGeometryIsValidated() throws {
        #expect(throws: DomainError.self) {
            try PlotGeometry(geojson: #"{"type":"Point","coordinates":[10.6, 106.5]}"#).storedJSON
        }
        #expect(throws: Never.self) { try PlotGeometry(geojson: #"{"type":"Point","coordinates":[106.5, 10.6]}"#) }
        let open = #"{"type":"Polygon","coordinates":[[[106.5,10.6],[106.6,10.6],[106.6,10.7],[106.5,10.71]]]}"#
        let error = #expect(throws: DomainError.self) { try PlotGeometry(geojson: open) }
        #expect(error?.message.contains("not closed") == true)
        #expect(throws: DomainError.self) {
            try PlotGeometry(geojson: #"{"type":"Polygon","coordinates":[[[106.5,10.6],[106.6,10.6],[106.5,10.6]]]}"#)
        }
        let kept = try PlotGeometry(geojson: #"{"type":"Point","coordinates":[106.5123456789, 10.6]}"#)
        #expect(kept.geoJSONText == #"{"type":"Point","coordinates":[106.512346,10.600000]}"#)
    }

    @Test func gs1CheckDigits() throws {
        #expect(GS1.hasValidCheckDigit("08934567000017"))
        #expect(!GS1.hasValidCheckDigit("08934567000018"))
        #expect(try GS1.gtin14("4006381333931") == "04006381333931")  // a widely printed EAN-13
        #expect(throws: DomainError.self) { try GS1.gtin14("4006381333932") }
        #expect(try GS1.gln("0614141000005") == "0614141000005")
        #expect(throws: DomainError.self) { try GS1.gln("0614141000006") }
    }
}

struct SignatureFirstTests {
    /// Signatures are checked while the rules run; a bad one is still the refusal reported.
    @Test(arguments: StoreKind.allCases) func aForgedEventIsRefusedForItsSignatureEvenWhenItAlsoBreaksARule(_ store: StoreKind)
        throws
    {
        let f = try ChainFixture(store: store)
        let good = try f.chain.sign(
            SupplyChain.event(
                "harvest", actor: "htx-tan-lap",
                [
                    "lot": "G-1", "product": "Lúa", "quantity": "1", "unit": "kg", "plot": "P-001", "harvested": "2026-07-01",
                ]), with: f.keys["htx-tan-lap"]!)
        let signed = try f.chain.sign(
            SupplyChain.event("ship", actor: "htx-tan-lap", ["lot": "NO-SUCH-LOT", "to": "nha-may-xay-xat"]),
            with: f.keys["htx-tan-lap"]!)
        let forged = SignedEvent(event: signed.event, key: signed.key, signature: good.signature)
        let before = try f.size()
        let error = #expect(throws: LedgerError.self) { _ = try f.chain.submit([good, forged]) }
        #expect(error?.code == .badSignature)
        #expect(try f.size() == before)
        #expect(f.chain.state.lot("G-1") == nil)
    }
}
