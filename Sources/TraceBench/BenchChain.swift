import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// A new supply-chain ledger for the benchmarks: an operator, a cooperative with one member
/// farm and one plot ("P-1"), and an exporter, each with its own key.
struct BenchChain {
    let operatorKey: PrivateKey
    let coop: PrivateKey
    let exporter: PrivateKey
    let chain: SupplyChain

    init(path: String) throws {
        operatorKey = try PrivateKey.generate()
        coop = try PrivateKey.generate()
        exporter = try PrivateKey.generate()
        let origin = "bench.trace.example/ledger"
        chain = try SupplyChain(ledger: Ledger.create(path: path, origin: origin, operatorKey: operatorKey))
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
}
