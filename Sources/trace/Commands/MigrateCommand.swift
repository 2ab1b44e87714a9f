import ArgumentParser
import CanonicalJSON
import TraceDomain
import TraceLedger
import TraceLedgerSQLite

/// `trace migrate`: brings a ledger file written by an older release to this release's store
/// format. Any command that writes does the same on open; this one does only that, and says so.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring a ledger file written by an older trace up to this release's store format.",
        discussion: """
            Entries, Merkle nodes, checkpoints and signatures never change: only what is kept beside \
            them (personal data, published certificates, the rules index) moves to this format's \
            tables, in one transaction, and the rules index is rebuilt. Commands that only read work \
            on older files as they are, but replay the whole ledger each time until it is migrated.
            """)

    @OptionGroup var options: LedgerOptions

    func run() throws {
        let before = try SQLiteLedgerStore.open(path: options.path, readOnly: true).version
        let store = try SQLiteLedgerStore.open(path: options.path)
        let ledger = try Ledger(store: store)
        try options.requireNoLostTail(ledger)
        // The rules index moves too: commands that only read never write it, so without this
        // each of them would replay the whole ledger in memory until the next write.
        _ = try SupplyChain(ledger: ledger)
        if options.json {
            try Output.json(["ledger": .string(options.path), "from": .int(before), "to": .int(store.version)])
        } else if before == store.version {
            print("\(options.path) is already at store format \(store.version); the rules index is up to date")
        } else {
            print(
                "\(options.path): migrated from store format \(before) to \(store.version), rules index rebuilt; run `trace verify` to check it"
            )
        }
    }
}
