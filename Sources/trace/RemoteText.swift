import CanonicalJSON

/// The server's lot JSON as the short text `trace show` and `trace lineage` print locally.
enum RemoteText {
    /// A lot's facts and history, from `GET /v1/lots/{code}`.
    static func lot(_ o: JSONValue) -> [String] {
        var lines = describe(o)
        if let timeline = o["timeline"]?.arrayValue {
            lines.append("history:")
            for step in timeline {
                lines.append(
                    "  entry \(step["entry"]?.intValue ?? 0)  \(step["time"]?.stringValue ?? "")  \(step["type"]?.stringValue ?? "") by \(step["actor"]?.stringValue ?? "")"
                )
            }
        }
        return lines
    }

    static func describe(_ o: JSONValue) -> [String] {
        let s = { (key: String) in o[key]?.stringValue ?? "" }
        var lines = [
            "lot \(s("lot")): \(s("product")), \(s("heldKg")) kg held of \(s("producedKg")) kg produced",
            "  custodian: \(s("custodianName")) (\(s("custodian"))); status: \(s("status"))"
                + (o["onHold"]?.boolValue == true ? "; ON HOLD" : ""),
        ]
        if let plot = o["plot"] {
            lines.append(
                "  harvested \(s("harvested")) on plot \(plot["id"]?.stringValue ?? "") (\(plot["areaHa"]?.stringValue ?? "") ha, \(plot["crop"]?.stringValue ?? "")) of \(plot["farmer"]?.stringValue ?? "")"
            )
        }
        for c in o["certifications"]?.arrayValue ?? [] {
            lines.append("  certified: \(c["scheme"]?.stringValue ?? "") by \(c["certifier"]?.stringValue ?? "")")
        }
        if let e = o["export"] {
            lines.append(
                "  exported to \(e["buyer"]?.stringValue ?? ""), \(e["country"]?.stringValue ?? ""), container \(e["container"]?.stringValue ?? "")"
            )
        }
        return lines
    }

    /// A lineage tree, from `GET /v1/lots/{code}/lineage`; `key` is "from" or "into".
    static func tree(_ node: JSONValue?, key: String, indent: String) {
        guard let node else { return }
        for line in describe(node) { print(indent + line) }
        for next in node[key]?.arrayValue ?? [] { tree(next, key: key, indent: indent + "    ") }
    }
}
