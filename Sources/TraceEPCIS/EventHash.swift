public import CanonicalJSON
import Foundation
import TraceCrypto

/// The CBV 2.0 EPCIS event hash ID: a canonical pre-hash string of an event, hashed with SHA-256
/// and written as an RFC 6920 `ni:` URI, `ni:///sha-256;<hex>?ver=CBV2.0`. Every rule it applies
/// is listed in docs/EPCIS.md ("Event hash IDs"); the published examples are its tests.
public enum EventHash {
    /// The algorithm version this implements, as the `ver` parameter names it.
    public static let version = "CBV2.0"

    /// The event hash ID of one event of a JSON or JSON-LD EPCIS document.
    public static func id(_ event: JSONValue, namespaces: [String: String] = [:]) -> String {
        "ni:///sha-256;" + hex(event, namespaces: namespaces) + "?ver=" + version
    }

    /// The lower-case hex SHA-256 of the event's pre-hash string.
    public static func hex(_ event: JSONValue, namespaces: [String: String] = [:]) -> String {
        SHA256.hash(Array(preHash(event, namespaces: namespaces).utf8)).hex
    }

    /// The canonical pre-hash string of one event.
    public static func preHash(_ event: JSONValue, namespaces: [String: String] = [:]) -> String {
        PreHash(namespaces: namespaces).event(event.objectValue ?? [:])
    }

    /// The prefixes a document's `@context` declares (`"example": "https://ns.example.com/epcis/"`),
    /// which user extension keys and compact values are expanded with.
    public static func namespaces(context: JSONValue?) -> [String: String] {
        var out: [String: String] = [:]
        for item in context?.arrayValue ?? [context].compactMap({ $0 }) {
            for (prefix, value) in item.objectValue ?? [:] {
                if let uri = value.stringValue { out[prefix] = uri }
            }
        }
        return out
    }
}

/// The pre-hash rules, applied to the JSON form of an event.
struct PreHash {
    let namespaces: [String: String]

    /// The prefixes the standard context declares, which a document need not repeat.
    static let standardPrefixes = [
        "cbv": "https://ref.gs1.org/cbv/", "gs1": "https://gs1.org/voc/", "epcis": "https://ref.gs1.org/epcis/",
    ]

    init(namespaces: [String: String]) {
        self.namespaces = Self.standardPrefixes.merging(namespaces) { _, declared in declared }
    }

    /// Members never hashed: identity, record keeping, corrections and comments.
    static let ignored: Set<String> = [
        "type", "eventID", "recordTime", "errorDeclaration", "@context", "#text", "comment", "rdfs:comment",
    ]
    static let epcLists = ["epcList", "inputEPCList", "childEPCs"]
    static let quantityLists = ["quantityList", "childQuantityList", "inputQuantityList"]

    func event(_ e: [String: JSONValue]) -> String {
        var rest = e.filter { !Self.ignored.contains($0.key) }
        var out = "eventType=" + (e["type"]?.stringValue ?? "")
        func take(_ key: String) -> JSONValue? { rest.removeValue(forKey: key) }
        func scalar(_ key: String) {
            guard let value = take(key) else { return }
            for text in scalars(value) {
                let v = canonical(text, key: key)
                if !v.isEmpty { out += key + "=" + v }
            }
        }
        func epcs(_ key: String) {
            guard let value = take(key) else { return }
            out += list(key, (value.arrayValue ?? []).compactMap { $0.stringValue }.map { "epc=" + canonical($0, key: "epc") })
        }
        func quantities(_ key: String) {
            guard let value = take(key) else { return }
            out += list(
                key,
                (value.arrayValue ?? []).map { q in
                    "quantityElement" + ordered(q.objectValue ?? [:], ["epcClass", "quantity", "uom"], extensions: false)
                })
        }
        scalar("eventTime")
        scalar("eventTimeZoneOffset")
        if let info = take("certificationInfo") {
            out += scalars(info).map { "certificationInfo=" + canonical($0, key: "certificationInfo") }.sorted().joined()
        }
        scalar("parentID")
        for key in Self.epcLists { epcs(key) }
        for key in Self.quantityLists { quantities(key) }
        epcs("outputEPCList")
        quantities("outputQuantityList")
        scalar("action")
        scalar("transformationID")
        if let step = take("bizStep")?.stringValue { out += "bizStep=" + canonical(vocabulary(step, "BizStep-"), key: "bizStep") }
        if let disposition = take("disposition")?.stringValue {
            out += "disposition=" + canonical(vocabulary(disposition, "Disp-"), key: "disposition")
        }
        if let persistent = take("persistentDisposition")?.objectValue {
            var part = ""
            for key in ["set", "unset"] {
                part += scalars(persistent[key] ?? .null).map { key + "=" + canonical(vocabulary($0, "Disp-"), key: key) }
                    .sorted()
                    .joined()
            }
            if !part.isEmpty { out += "persistentDisposition" + part }
        }
        for key in ["readPoint", "bizLocation"] {
            guard let place = take(key)?.objectValue else { continue }
            let body = ordered(place, ["id"], extensions: true)
            if !body.isEmpty { out += key + body }
        }
        // The published examples hash the destinations before the sources.
        for (key, member, prefix) in [
            ("bizTransactionList", "bizTransaction", "BTT-"), ("destinationList", "destination", "SDT-"),
            ("sourceList", "source", "SDT-"),
        ] {
            guard let items = take(key)?.arrayValue else { continue }
            // The type comes first in each element, then the value (as the published examples hash).
            out += list(
                key,
                items.map { item in
                    var text = ""
                    if let type = item["type"]?.stringValue { text += "type=" + canonical(vocabulary(type, prefix), key: "type") }
                    if let value = item[member]?.stringValue { text += member + "=" + canonical(value, key: member) }
                    return text
                })
        }
        if let sensors = take("sensorElementList")?.arrayValue {
            out += list("sensorElementList", sensors.map { sensorElement($0.objectValue ?? [:]) })
        }
        // What is left (ilmd, user extensions, anything not in the canonical order) is hashed
        // generically, each member as a string, the strings sorted.
        out += rest.flatMap { generic(key: $0.key, $0.value) }.sorted().joined()
        return out
    }

    /// A list: its name, then its elements' strings sorted; nothing when every element is empty.
    func list(_ name: String, _ elements: [String]) -> String {
        let items = elements.filter { !$0.isEmpty }.sorted()
        return items.isEmpty ? "" : name + items.joined()
    }

    /// Members in a fixed order, then (where the field has an extension point) its user extensions.
    func ordered(_ o: [String: JSONValue], _ order: [String], extensions: Bool) -> String {
        var out = ""
        for key in order {
            guard let value = o[key] else { continue }
            for text in scalars(value) {
                var v = canonical(text, key: key)
                if key == "type" || key == "exception" { v = vocabulary(text, gs1: true) }
                if key == "component" { v = canonical(vocabulary(text, "Comp-"), key: key) }
                if !v.isEmpty { out += key + "=" + v }
            }
        }
        if extensions {
            out += o.filter { !order.contains($0.key) && $0.key.contains(":") }.flatMap { generic(key: $0.key, $0.value) }
                .sorted().joined()
        }
        return out
    }

    func sensorElement(_ element: [String: JSONValue]) -> String {
        var out = "sensorElement"
        if let metadata = element["sensorMetadata"]?.objectValue {
            out +=
                "sensorMetadata"
                + ordered(
                    metadata,
                    [
                        "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod",
                        "bizRules",
                    ],
                    extensions: true)
        }
        let reportOrder = [
            "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time", "microorganism",
            "chemicalSubstance", "value", "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue",
            "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem",
        ]
        let reports = (element["sensorReport"]?.arrayValue ?? []).map {
            "sensorReport" + ordered($0.objectValue ?? [:], reportOrder, extensions: true)
        }
        out += reports.sorted().joined()
        return out
    }

    /// A member hashed generically: its expanded key, `=value` when it has one, then its children.
    func generic(key rawKey: String, _ value: JSONValue) -> [String] {
        let key = expandKey(rawKey)
        switch value {
        case .array(let items): return items.flatMap { generic(key: rawKey, $0) }
        case .object(let members):
            let children = members.filter { !Self.ignored.contains($0.key) }.flatMap { generic(key: $0.key, $0.value) }
            return [key + children.sorted().joined()]
        case .null: return [key]
        default:
            let text = scalars(value).first ?? ""
            let v = canonical(expandValue(text), key: rawKey)
            return [v.isEmpty ? key : key + "=" + v]
        }
    }

    /// The text of a scalar, or of each scalar of an array.
    func scalars(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let s): [s]
        case .number(let n): [Self.number(n)]
        case .bool(let b): [b ? "true" : "false"]
        case .array(let items): items.flatMap { scalars($0) }
        default: []
        }
    }

    /// `prefix:local` as `{namespace}local` when the document declares the prefix.
    func expandKey(_ key: String) -> String {
        guard let colon = key.firstIndex(of: ":"), let ns = namespaces[String(key[..<colon])] else { return key }
        return "{" + ns + "}" + key[key.index(after: colon)...]
    }

    /// A compact value (`gs1:Temperature`) expanded with a declared prefix.
    func expandValue(_ value: String) -> String {
        guard let colon = value.firstIndex(of: ":"), let ns = namespaces[String(value[..<colon])] else { return value }
        return ns + value[value.index(after: colon)...]
    }

    /// A bare CBV term (`shipping`) as its web URI; a URI or URN is left for `canonical`.
    func vocabulary(_ value: String, _ prefix: String) -> String {
        let v = value.trimmingCharacters(in: .whitespaces)
        return v.contains(":") ? expandValue(v) : "https://ref.gs1.org/cbv/" + prefix + v
    }

    /// A bare GS1 vocabulary term (a sensor report's type or exception) as its web URI.
    func vocabulary(_ value: String, gs1: Bool) -> String {
        let v = value.trimmingCharacters(in: .whitespaces)
        return v.contains(":") ? canonical(expandValue(v), key: "") : "https://gs1.org/voc/" + v
    }

    /// One value's canonical form: trimmed; times in UTC to the millisecond; CBV URNs as web URIs;
    /// numbers without trailing zeros; EPC URNs and GS1 Digital Links as constrained canonical links.
    func canonical(_ raw: String, key: String) -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = key.lowercased()
        if lower.contains("time") && !lower.contains("offset"), let time = Self.utcMillis(text) { return time }
        var v = text
        for (urn, web) in [
            ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"),
            ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
            ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
            ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"), ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
        ] where v.hasPrefix(urn) {
            v = web + v.dropFirst(urn.count)
        }
        if let number = Self.numeric(v) { return number }
        return DigitalLink.canonical(v) ?? v
    }

    /// A decimal number written without a plus sign, leading zeros or trailing zeros; nil when the
    /// text is not a plain decimal number.
    static func numeric(_ text: String) -> String? {
        var digits = 0
        var dots = 0
        for (i, c) in text.utf8.enumerated() {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."): dots += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"): if i != 0 { return nil }
            default: return nil
            }
        }
        guard digits > 0, dots <= 1, let value = Double(text) else { return nil }
        return number(value)
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e18 { return String(Int64(value)) }
        return "\(value)"
    }

    /// An RFC 3339 time in UTC with exactly three decimals, rounded half to even at the
    /// microsecond; nil when the text is not such a time.
    static func utcMillis(_ text: String) -> String? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var n = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                n = n * 10 + Int(b[i] - 48)
            }
            return n
        }
        guard b.count >= 19, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116, b[13] == 58, b[16] == 58,
            let year = num(0, 4), let month = num(5, 2), let day = num(8, 2), let hour = num(11, 2), let minute = num(14, 2),
            let second = num(17, 2)
        else { return nil }
        var i = 19
        var micros = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var scale = 100_000
            var rest = 0
            var restDigits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if scale > 0 {
                    micros += Int(b[i] - 48) * scale
                    scale /= 10
                } else if restDigits == 0 {
                    rest = Int(b[i] - 48)
                    restDigits = 1
                }
                i += 1
            }
            _ = rest
        }
        var offsetMinutes = 0
        if i < b.count {
            if b[i] == 90 || b[i] == 122 {
                i += 1
            } else if b[i] == 43 || b[i] == 45, let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let om = num(i + 4, 2) {
                offsetMinutes = (oh * 60 + om) * (b[i] == 45 ? -1 : 1)
                i += 6
            } else {
                return nil
            }
        }
        guard i == b.count else { return nil }
        // Round the microseconds to milliseconds, half to even.
        var millis = micros / 1000
        let remainder = micros % 1000
        if remainder > 500 || (remainder == 500 && millis % 2 == 1) { millis += 1 }
        var seconds = Self.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        seconds -= offsetMinutes * 60
        if millis == 1000 {
            millis = 0
            seconds += 1
        }
        let dayNumber = Int((Double(seconds) / 86_400).rounded(.down))
        let secondOfDay = seconds - dayNumber * 86_400
        let (y, m, d) = Self.civil(days: dayNumber)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        func three(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }
        return
            "\(String(format: "%04d", y))-\(two(m))-\(two(d))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60)).\(three(millis))Z"
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date of a day number since 1970-01-01.
    static func civil(days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
