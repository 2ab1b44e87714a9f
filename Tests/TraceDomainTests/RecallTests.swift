import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger

struct RecallTests {
    /// Two harvests milled together, one split for export; an unrelated harvest beside them.
    func chain(store: StoreKind = .sqlite) throws -> ChainFixture {
        let f = try ChainFixture(store: store)
        try f.register("gao-export-2", roles: ["exporter"], name: "Công ty Xuất khẩu Thứ Hai")
        for lot in ["PADDY-A", "PADDY-B", "PADDY-C"] {
            try f.harvest(lot, "1000")
            try f.submit("htx-tan-lap", "ship", ["lot": .string(lot), "to": "nha-may-xay-xat"])
            try f.submit("nha-may-xay-xat", "receive", ["lot": .string(lot)])
        }
        try f.submit(
            "nha-may-xay-xat", "transform",
            [
                "process": "milling", "yieldLimit": "0.7",
                "inputs": [["lot": "PADDY-A", "quantity": "1000"], ["lot": "PADDY-B", "quantity": "1000"]],
                "outputs": [["lot": "RICE-AB", "product": "Gạo ST25", "quantity": "1300"]],
            ])
        try f.submit(
            "nha-may-xay-xat", "split",
            [
                "lot": "RICE-AB",
                "outputs": [["lot": "RICE-AB-1", "quantity": "700"], ["lot": "RICE-AB-2", "quantity": "600"]],
            ])
        try f.submit("nha-may-xay-xat", "ship", ["lot": "RICE-AB-1", "to": "vinarice-export"])
        return f
    }

    @Test(arguments: StoreKind.allCases) func aRecallHoldsEveryDownstreamLotAndNothingElse(_ store: StoreKind) throws {
        let f = try chain(store: store)
        let recall = try f.submit("vietgap-cert", "recall", ["lot": "PADDY-B", "reason": "pesticide residue above limit"])
        let all = ["PADDY-A", "PADDY-B", "PADDY-C", "RICE-AB", "RICE-AB-1", "RICE-AB-2"].compactMap { f.chain.state.lot($0) }
        let held = Set(all.filter { $0.holds.contains(recall) }.map(\.code.text))
        #expect(held == ["PADDY-B", "RICE-AB", "RICE-AB-1", "RICE-AB-2"])
        #expect(f.chain.state.lot("PADDY-A")?.holds.isEmpty == true)
        #expect(f.chain.state.lot("PADDY-C")?.holds.isEmpty == true)
        // Whom to notify: the holders of every held lot, the one in transit included.
        let notify = f.chain.state.partiesToNotify(recalling: "PADDY-B")
        #expect(notify["nha-may-xay-xat"]?.contains("RICE-AB-2") == true)
        #expect(notify["vinarice-export"]?.contains("RICE-AB-1") == true)

        // A held lot ships and exports nothing until released; the unrelated lot is free.
        try f.submit("vinarice-export", "receive", ["lot": "RICE-AB-1"])
        let before = try f.size()
        let error = #expect(throws: DomainError.self) {
            try f.submit(
                "vinarice-export", "export",
                ["lot": "RICE-AB-1", "buyer": "hamburg-foods", "country": "DE", "container": "MSCU1234565"])
        }
        #expect(error?.code == .onHold)
        #expect(error?.message.contains("cannot be exported until released") == true)
        #expect(throws: DomainError.self) {
            try f.submit("nha-may-xay-xat", "ship", ["lot": "RICE-AB-2", "to": "vinarice-export"])
        }
        #expect(try f.size() == before)
        try f.submit("nha-may-xay-xat", "ship", ["lot": "PADDY-C", "to": "vinarice-export"])
        // What is made from a held lot is held too.
        try f.submit("nha-may-xay-xat", "split", ["lot": "RICE-AB-2", "outputs": [["lot": "RICE-AB-2X", "quantity": "100"]]])
        #expect(f.chain.state.lot("RICE-AB-2X")?.holds.contains(recall) == true)

        try f.submit("vietgap-cert", "release", ["lot": "PADDY-B"])
        #expect(
            ["PADDY-B", "RICE-AB", "RICE-AB-1", "RICE-AB-2", "RICE-AB-2X"].allSatisfy {
                f.chain.state.lot($0)?.holds.isEmpty == true
            })
        try f.submit(
            "vinarice-export", "export",
            ["lot": "RICE-AB-1", "buyer": "hamburg-foods", "country": "DE", "container": "MSCU1234565"])
        #expect(try f.chain.verifyRules() == nil)
    }

    @Test(arguments: StoreKind.allCases) func onlyAPartyThatHeldTheLotOrACertifierMayRecall(_ store: StoreKind) throws {
        let f = try chain(store: store)
        let error = #expect(throws: DomainError.self) {
            try f.submit("gao-export-2", "recall", ["lot": "PADDY-A", "reason": "rumour"])
        }
        #expect(error?.code == .roleNotAllowed)
        try f.submit("htx-tan-lap", "recall", ["lot": "PADDY-A", "reason": "wrong seed variety"])
    }

    @Test(arguments: StoreKind.allCases) func forgettingAFarmerErasesTheNameButNotTheLedger(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.harvest("F-1")
        let lineage = try Lineage(chain: f.chain, lot: "f-1")
        #expect(lineage.name(of: "nong-ho-bay") == "Nguyễn Văn Bảy")
        // The entry holds only the commitment, never the name.
        let entry = try f.chain.ledger.entry(2)
        #expect(!String(decoding: entry.bytes, as: UTF8.self).contains("Bảy"))
        let commitment = f.chain.state.parties["nong-ho-bay"]!.personal["name"]!
        let clear = try #require(try PersonalData.lookup(commitment, in: f.chain.ledger.store))
        #expect(Commitment.opens(try Digest(hex: commitment), value: "Nguyễn Văn Bảy", salt: clear.salt))

        #expect(try PersonalData.forget(party: "nong-ho-bay", in: f.chain.ledger.store) == 2)
        #expect(try PersonalData.lookup(commitment, in: f.chain.ledger.store) == nil)
        #expect(try Lineage(chain: f.chain, lot: "F-1").name(of: "nong-ho-bay") == "(name erased)")
        #expect(try f.chain.ledger.verify().ok)
        #expect(try f.chain.verifyRules() == nil)
    }

    @Test(arguments: StoreKind.allCases) func vietnameseNamesAreOneNameWhateverTheKeyboard(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        let composed = "Lúa ST25 Cần Giuộc"
        let decomposed = composed.decomposedStringWithCanonicalMapping
        #expect(Array(composed.utf8) != Array(decomposed.utf8))
        for (lot, product) in [("N-1", composed), ("N-2", decomposed)] {
            try f.submit(
                "htx-tan-lap", "harvest",
                [
                    "lot": .string(lot), "product": .string(product), "quantity": "10", "unit": "kg", "plot": "P-001",
                    "harvested": "2026-07-01",
                ])
        }
        // The ledger holds one spelling, NFC; and a merge accepts the two as one product.
        #expect(String(decoding: try f.chain.ledger.entry(try f.size() - 1).bytes, as: UTF8.self).contains(composed))
        try f.submit("htx-tan-lap", "merge", ["inputs": [["lot": "N-1"], ["lot": "N-2"]], "output": "N-12"])
        #expect(f.chain.state.lot("N-12")?.held.kilograms == 20)
        // A unit typed decomposed is the same unit.
        try f.harvest("N-3", "2", unit: "tạ".decomposedStringWithCanonicalMapping)
        #expect(f.chain.state.lot("N-3")?.held.kilograms == 200)
    }
}
