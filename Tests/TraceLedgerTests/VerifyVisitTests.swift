import Testing
import TraceCrypto

@testable import TraceLedger

/// The caller's per-entry work in `Ledger.verify`, split between the workers (`prepare`) and the
/// one in-order thread (`visit`).
struct VerifyVisitTests {
    /// Chunks of one, of three (the last one short) and one chunk for the whole ledger.
    @Test(arguments: [1, 3, 4096])
    func whatTheWorkersPrepareReachesVisitWithItsOwnEntryInOrder(_ chunkSize: Int) throws {
        let f = try LedgerFixture(events: 20)
        var seen: [UInt64] = []
        let report = try f.ledger.verify(
            chunkSize: chunkSize, prepare: { ($0.seq, $0.signed.id) },
            visit: { entry, prepared in
                #expect(prepared.0 == entry.seq && prepared.1 == entry.signed.id, "entry \(entry.seq)")
                seen.append(entry.seq)
            })
        #expect(report.ok, "\(String(describing: report.failure))")
        #expect(seen == Array(0...20))
    }

    struct Refusal: Error {}

    @Test func aRefusalInVisitStopsTheWalkAtItsEntry() throws {
        let f = try LedgerFixture(events: 20)
        var seen: [UInt64] = []
        let report = try f.ledger.verify(
            chunkSize: 3, prepare: { $0.seq },
            visit: { entry, seq in
                if seq == 7 { throw Refusal() }
                seen.append(entry.seq)
            })
        #expect(report.failure?.code == .refused && report.failure?.entry == 7)
        #expect(report.refusal is Refusal)
        #expect(seen == Array(0...6) && report.signatures == 7)
    }
}
