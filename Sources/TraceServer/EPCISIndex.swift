import CanonicalJSON
import Synchronization
import TraceDomain
import TraceEPCIS

/// The ledger's lot events as EPCIS events, made once per ledger size and shared by every query:
/// a later export can change an earlier event's class identifier (its lot gains a GTIN), so the
/// whole mapping is remade when the ledger grows, never patched.
final class EPCISIndex: Sendable {
    /// One exported event with what the ledger knows of it.
    struct Item: Sendable {
        let entry: UInt64
        let recordTime: String
        let traceEventID: String
        let event: JSONValue
        var eventID: String { event["eventID"]?.stringValue ?? "" }
    }

    /// Every event at one ledger size, in ledger order, and how to find one by name.
    struct Snapshot: Sendable {
        let size: UInt64
        let items: [Item]
        let byName: [String: Int]

        /// The event named by its eventID (`ni:///sha-256;HEX?ver=CBV2.0`), its 64 hex digits,
        /// `epcis-HEX` (the trace id of an imported event) or its trace event id.
        func item(named name: String) -> Item? { byName[name].map { items[$0] } }
    }

    private let host: LedgerHost
    private let snapshot = Mutex<Snapshot?>(nil)

    init(host: LedgerHost) { self.host = host }

    /// The events of the ledger as it is now.
    func current() throws -> Snapshot {
        try host.read { chain in
            let size = chain.state.size
            if let kept = snapshot.withLock({ $0 }), kept.size == size { return kept }
            let document = try EPCISExport(chain: chain).documentOfAll()
            let events = document["epcisBody"]?["eventList"]?.arrayValue ?? []
            let facts = document["epcisHeader"]?["trace:ledger"]?["events"]?.arrayValue ?? []
            var items: [Item] = []
            var byName: [String: Int] = [:]
            for (event, fact) in zip(events, facts) {
                let item = Item(
                    entry: UInt64(fact["entry"]?.intValue ?? 0), recordTime: fact["recorded"]?.stringValue ?? "",
                    traceEventID: fact["traceEventId"]?.stringValue ?? "", event: event)
                let id = item.eventID
                let hex = id.hasPrefix("ni:///sha-256;") ? String(id.dropFirst(14).prefix(64)) : ""
                for name in [id, hex, "epcis-" + hex, item.traceEventID] where !name.isEmpty && byName[name] == nil {
                    byName[name] = items.count
                }
                items.append(item)
            }
            let made = Snapshot(size: size, items: items, byName: byName)
            snapshot.withLock { $0 = made }
            return made
        }
    }
}
