import CanonicalJSON
import ChainFixtures
import Testing
import TraceDomain
import TraceLedger

/// A merge's inputs may be written as bare lot codes or as {"lot": code}; the rules always took
/// both, and a lot's story must too, or a buyer's check of a lot merged with bare codes misses
/// the other inputs' harvests and fails to replay the merge.
struct MergeStoryTests {
    @Test func aBareCodeMergeAndAnObjectMergeGiveTheSameStoryAndVerdict() throws {
        let f = try ChainFixture()
        for lot in ["BARE-1", "BARE-2", "OBJ-1", "OBJ-2"] { try f.harvest(lot) }
        try f.submit("htx-tan-lap", "merge", ["inputs": ["BARE-1", "BARE-2"], "output": "BARE-12"])
        try f.submit("htx-tan-lap", "merge", ["inputs": [["lot": "OBJ-1"], ["lot": "OBJ-2"]], "output": "OBJ-12"])
        _ = try f.chain.ledger.checkpoint(signingWith: f.operatorKey)
        let verifier = LotVerifier(chain: f.chain)

        for (bare, object) in [("BARE-1", "OBJ-1"), ("BARE-2", "OBJ-2"), ("BARE-12", "OBJ-12")] {
            let a = try verifier.verify(lot: bare)
            let b = try verifier.verify(lot: object)
            #expect(a.ok, "\(bare): \(String(describing: a.failure))")
            #expect(b.ok, "\(object): \(String(describing: b.failure))")
            // The same shape of story: genesis, the registrations, both harvests and the merge.
            #expect(a.entries.count == b.entries.count, "\(bare) \(a.entries) vs \(object) \(b.entries)")
            #expect(verifier.verdict(lot: bare).state == verifier.verdict(lot: object).state)
        }
    }

    @Test func bothMergeFormsParseToTheSameInputs() throws {
        let bare = try TraceEvent(
            parsing: SupplyChain.event("merge", actor: "coop", id: "m-1", ["inputs": ["a-1", "A-2"], "output": "A-12"]),
            id: "m-1")
        let object = try TraceEvent(
            parsing: SupplyChain.event(
                "merge", actor: "coop", id: "m-2", ["inputs": [["lot": "A-1"], ["lot": "a-2"]], "output": "A-12"]),
            id: "m-2")
        #expect(bare.inputs.map(\.key) == ["A-1", "A-2"])
        #expect(object.inputs.map(\.key) == ["A-1", "A-2"])
        #expect(bare.lots.map(\.key) == object.lots.map(\.key))
    }

    @Test func aMalformedEventIsRefusedOnceNamingTheField() {
        let event = SupplyChain.event("merge", actor: "coop", id: "m-3", ["inputs": ["A-1", "not a lot"], "output": "A-12"])
        #expect {
            try TraceEvent(parsing: event, id: "m-3")
        } throws: { error in
            let error = error as? DomainError
            return error?.code == .badInput && error?.message.contains("inputs[1].lot") == true
                && error?.message.contains("not a lot") == true
        }
    }
}
