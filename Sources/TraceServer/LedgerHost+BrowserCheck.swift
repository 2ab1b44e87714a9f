import Foundation
import TraceDomain
import TraceLedger

extension LedgerHost {
    /// `page` with the lot's story and `/verify.js` embedded (BrowserCheck); unchanged when the
    /// story cannot be proved yet (no checkpoint covers it).
    func withBrowserCheck(_ page: String, lot: String, chain: SupplyChain) -> String {
        guard let story = try? LotVerifier(chain: chain).story(lot: lot),
            let embedded = try? BrowserCheck.embed(
                into: page, story: story, note: published(story.note), operatorKey: chain.ledger.metadata.operatorKey,
                witnessKeys: witnessKeys)
        else { return page }
        return embedded
    }

    /// Changes when new cosignatures arrive for the latest checkpoint, so cached pages carry them.
    func cosignatureMark(size known: UInt64? = nil) -> Int {
        guard let size = known ?? (try? checkpointSize()), let note = cosigned.note(size: size) else { return 0 }
        return note.utf8.count
    }
}
