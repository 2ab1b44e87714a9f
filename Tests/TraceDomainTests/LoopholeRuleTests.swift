import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger

/// Ways around the rules, each of which was accepted once: voiding a split whose input moved on,
/// shipping a used-up lot, one key for two parties, a former holder lifting a certifier's recall.
struct LoopholeRuleTests {
    @Test(arguments: StoreKind.allCases) func voidingASplitAfterItsInputWasHandedOnIsRefused(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.harvest("L", "1000")
        let split = try f.submit("htx-tan-lap", "split", ["lot": "L", "outputs": [["lot": "S1", "quantity": "600"]]])
        try f.submit("htx-tan-lap", "ship", ["lot": "L", "to": "nha-may-xay-xat"])
        try f.submit("nha-may-xay-xat", "receive", ["lot": "L"])
        let error = #expect(throws: DomainError.self) {
            try f.submit("htx-tan-lap", "void", ["entry": .int(Int(split)), "reason": "mistake"])
        }
        #expect(error?.code == .cannotVoid)
        #expect(f.chain.state.lot("L")?.held.kilograms == 400)
    }

    @Test(arguments: StoreKind.allCases) func aUsedUpLotCannotShipOrExport(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.harvest("U1", "100")
        try f.harvest("U2", "100")
        try f.submit("htx-tan-lap", "merge", ["inputs": [["lot": "U1"], ["lot": "U2"]], "output": "U12"])
        let error = #expect(throws: DomainError.self) {
            try f.submit("htx-tan-lap", "ship", ["lot": "U1", "to": "vinarice-export"])
        }
        #expect(error?.message.contains("holds nothing") == true)
    }

    @Test(arguments: StoreKind.allCases) func onePublicKeyIsOneParty(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        let coopKey = f.keys["htx-tan-lap"]!
        let renamed = try VerifierKey(name: "another-name", publicKey: coopKey.publicKey).description
        let error = #expect(throws: DomainError.self) {
            try f.submit(
                "operator", "party.register",
                [
                    "party": ["id": "shadow", "roles": ["exporter"], "name": "Shadow Co", "key": .string(renamed)]
                ])
        }
        #expect(error?.code == .exists)
    }

    @Test(arguments: StoreKind.allCases) func aPartyThatHeldTheGoodsCannotLiftACertifiersRecall(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.harvest("R1")
        try f.submit("vietgap-cert", "recall", ["lot": "R1", "reason": "residue"])
        let error = #expect(throws: DomainError.self) { try f.submit("htx-tan-lap", "release", ["lot": "R1"]) }
        #expect(error?.code == .roleNotAllowed)
        try f.submit("vietgap-cert", "release", ["lot": "R1"])
    }
}
