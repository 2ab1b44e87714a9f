import TraceDomain

extension LedgerOptions {
    /// The supply chain on the ledger opened read-only, for commands that only read. When the
    /// rules index had to be replayed in memory (missing, of an older release, or far behind), it
    /// says so on standard error, with the command that stores the index: otherwise every reading
    /// command pays the replay again, and nothing tells the user why they are slow.
    func openChainForReading() throws -> SupplyChain {
        let chain = try SupplyChain(ledger: open(readOnly: true))
        if let replayed = chain.replayedWithoutIndex, replayed.fromScratch || replayed.entries >= 10_000 {
            let why =
                replayed.fromScratch ? "missing or from an older release" : "\(Output.count(replayed.entries)) entries behind"
            Output.note(
                "note: the rules index beside the ledger is \(why), so \(Output.count(replayed.entries, "entry was", "entries were")) "
                    + "replayed in memory; `trace migrate --ledger \(path)` stores it, and later commands read it")
        }
        return chain
    }
}
