import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite
import TraceLedgerStores

/// A new supply-chain ledger for the benchmarks: an operator, a cooperative with one member
/// farm and one plot ("P-1"), and an exporter, each with its own key.
struct BenchChain {
    let operatorKey: PrivateKey
    let coop: PrivateKey
    let exporter: PrivateKey
    let chain: SupplyChain

    /// A new ledger at `path`: a SQLite file, or a postgres:// URL (with the Postgres trait).
    init(path: String) throws {
        operatorKey = try PrivateKey.generate()
        coop = try PrivateKey.generate()
        exporter = try PrivateKey.generate()
        let origin = "bench.trace.example/ledger"
        chain = try SupplyChain(
            ledger: Ledger.create(at: LedgerLocation(path), origin: origin, operatorKey: operatorKey))
        for (id, role, key, extra) in [
            ("coop", "cooperative", coop, [String: JSONValue]()),
            ("farm", "farm", try PrivateKey.generate(), ["memberOf": "coop"]),
            ("exporter", "exporter", exporter, [:]),
        ] {
            var party: [String: JSONValue] = [
                "id": .string(id), "roles": [.string(role)], "name": .string("Bench \(id)"),
                "key": .string(try VerifierKey(name: id, publicKey: key.publicKey).description),
            ]
            party.merge(extra) { $1 }
            _ = try chain.submit([
                try SignedEvent.sign(
                    SupplyChain.event("party.register", actor: "operator", ["party": .object(party)]), with: operatorKey,
                    keyName: origin)
            ])
        }
        let point = try PlotGeometry(geojson: #"{"type":"Point","coordinates":[106.62,10.58]}"#).storedJSON
        _ = try chain.submit([
            try chain.sign(
                SupplyChain.event(
                    "plot.register", actor: "coop",
                    ["plot": ["id": "P-1", "farm": "farm", "crop": "lúa", "areaHa": "2", "geometry": point]]), with: coop)
        ])
    }

    /// One export's story, 15 events: ten harvests, merged, shipped to the exporter, received,
    /// milled into lot R`g` and exported. Each event with the party that signs it.
    func group(_ g: Int) -> [(party: String, key: PrivateKey, event: JSONValue)] {
        var events: [(String, PrivateKey, JSONValue)] = (0..<10).map { h in
            (
                "coop", coop,
                SupplyChain.event(
                    "harvest", actor: "coop",
                    [
                        "lot": .string("H\(g)-\(h)"), "product": "Lúa ST25", "quantity": "1000", "unit": "kg", "plot": "P-1",
                        "harvested": "2026-07-01",
                    ])
            )
        }
        events.append(
            (
                "coop", coop,
                SupplyChain.event(
                    "merge", actor: "coop",
                    ["inputs": .array((0..<10).map { ["lot": .string("H\(g)-\($0)")] }), "output": .string("M\(g)")])
            ))
        events.append(("coop", coop, SupplyChain.event("ship", actor: "coop", ["lot": .string("M\(g)"), "to": "exporter"])))
        events.append(("exporter", exporter, SupplyChain.event("receive", actor: "exporter", ["lot": .string("M\(g)")])))
        events.append(
            (
                "exporter", exporter,
                SupplyChain.event(
                    "transform", actor: "exporter",
                    [
                        "process": "milling", "yieldLimit": "0.7", "inputs": [["lot": .string("M\(g)"), "quantity": "10000"]],
                        "outputs": [["lot": .string("R\(g)"), "product": "Gạo ST25", "quantity": "6500"]],
                    ])
            ))
        events.append(
            (
                "exporter", exporter,
                SupplyChain.event(
                    "export", actor: "exporter",
                    [
                        "lot": .string("R\(g)"), "buyer": "Hamburg Reis Import GmbH", "country": "DE",
                        "container": .string("MSCU\(g)"), "gtin": "08934567000017",
                    ])
            ))
        return events
    }

    /// Groups `range`, signed on every core.
    func signedGroups(_ range: Range<Int>) throws -> [SignedEvent] {
        let items = range.flatMap { group($0) }
        return try parallelMap(items.count) {
            try SignedEvent.sign(items[$0].event, with: items[$0].key, keyName: items[$0].party)
        }
    }
}
