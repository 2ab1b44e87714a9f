public import CanonicalJSON
import Foundation

/// The clerk's look-ups (`trace party list`, `plot list`, `lot list`, and the same lists from
/// `trace serve`): one shape for the CLI's `--json`, the API and the clerk's app.
extension StatsRecords {
    /// Every party, persons by id and commitments only.
    public func partyList() -> [JSONValue] { parties.map(\.json) }

    /// The plots, or those of one member farm.
    public func plotList(farm: String? = nil) -> [JSONValue] {
        plots.filter { farm == nil || $0.farm == farm }.map { plot in
            var o: [String: JSONValue] = [
                "id": .string(plot.id), "farm": .string(plot.farm), "cooperative": .string(plot.cooperative),
                "crop": .string(plot.crop), "areaHa": .string(Mass.plain(plot.areaHa)),
                "geometry": plot.geometry.storedJSON, "registeredEntry": .number(Double(plot.registeredSeq)),
            ]
            if let code = plot.growingAreaCode { o["growingAreaCode"] = .string(code) }
            return .object(o)
        }
    }

    /// The lots a party holds now (`holder`: active, not used up, not shipped away), and the lots grown on a farm's plots or made from
    /// them (`farm`); both filters together keep the lots that pass each.
    public func lotList(holder: String? = nil, farm: String? = nil) -> [JSONValue] {
        var fromFarm: Set<String>?
        if let farm {
            let farmPlots = Set(plots.filter { $0.farm == farm }.map(\.id))
            let byKey = Dictionary(lots.map { ($0.code.key, $0) }, uniquingKeysWith: { a, _ in a })
            var reached = Set<String>()
            var queue = lots.filter { $0.plot.map(farmPlots.contains) == true }.map(\.code.key)
            while let key = queue.popLast() {
                guard reached.insert(key).inserted else { continue }
                queue += byKey[key]?.children ?? []
            }
            fromFarm = reached
        }
        return
            lots
            .filter { lot in
                (holder == nil || (lot.custodian == holder && lot.status == .active && lot.held > .zero))
                    && (fromFarm?.contains(lot.code.key) ?? true)
            }
            .sorted { $0.createdSeq < $1.createdSeq }
            .map { lot in
                var o: [String: JSONValue] = [
                    "lot": .string(lot.code.text), "product": .string(lot.product),
                    "producedKg": .string(lot.produced.decimalString), "heldKg": .string(lot.held.decimalString),
                    "custodian": .string(lot.custodian), "status": .string(Lineage.status(lot)),
                    "createdEntry": .number(Double(lot.createdSeq)), "recalled": .bool(!lot.holds.isEmpty),
                    "custodians": .array(lot.custodians.map { .string($0) }),
                ]
                if let plot = lot.plot { o["plot"] = .string(plot) }
                if let harvested = lot.harvested { o["harvested"] = .string(harvested) }
                return .object(o)
            }
    }
}
