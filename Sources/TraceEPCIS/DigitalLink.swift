import Foundation

/// GS1 identifiers as the event hash compares them: EPC URNs (`urn:epc:id:sgtin:...`,
/// `urn:epc:class:lgtin:...`) and GS1 Digital Link URIs on any domain, each as the constrained
/// canonical Digital Link: `https://id.gs1.org`, no query string, only the finest level of
/// identification (a serial number drops the lot).
public enum DigitalLink {
    /// The canonical Digital Link of a GS1 identifier; nil when `uri` is not one.
    public static func canonical(_ uri: String) -> String? {
        if uri.hasPrefix("urn:epc:") { return fromURN(uri) }
        if uri.hasPrefix("https://") || uri.hasPrefix("http://") { return fromLink(uri) }
        return nil
    }

    /// A GS1 Digital Link URI for a lot of a trade item: `https://id.gs1.org/01/<GTIN-14>/10/<lot>`.
    public static func lot(gtin: String, lot: String) -> String {
        "https://id.gs1.org/01/" + gtin + "/10/" + encode(lot)
    }

    /// The standard GS1 check digit of the digits given.
    public static func checkDigit(_ digits: String) -> Int {
        var sum = 0
        for (i, c) in digits.reversed().enumerated() {
            let d = Int(c.asciiValue ?? 48) - 48
            sum += i % 2 == 0 ? d * 3 : d
        }
        return (10 - sum % 10) % 10
    }

    /// Characters a Digital Link path segment percent-encodes (GS1 Digital Link, table 7-1).
    static func encode(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "!": out += "%21"
            case "(": out += "%28"
            case ")": out += "%29"
            case "*": out += "%2A"
            case "+": out += "%2B"
            case ",": out += "%2C"
            case ":": out += "%3A"
            default: out.append(c)
            }
        }
        return out
    }

    static func isDigits(_ s: Substring) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }

    /// Company prefix and reference of an EPC URN body `prefix.reference[.serial]`.
    static func fromURN(_ uri: String) -> String? {
        let parts = uri.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5 else { return nil }
        let scheme = parts[2] + ":" + parts[3]
        let fields = parts[4].split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count >= 2, isDigits(fields[0]) else { return nil }
        let prefix = String(fields[0])
        let reference = String(fields[1])
        let rest = fields.count > 2 ? String(fields[2]) : nil
        func gtin() -> String? {
            guard reference.count + prefix.count == 13, isDigits(Substring(reference)) else { return nil }
            let raw = String(reference.prefix(1)) + prefix + String(reference.dropFirst())
            return raw + String(checkDigit(raw))
        }
        func gln() -> String? {
            guard reference.count + prefix.count == 12, reference.isEmpty || isDigits(Substring(reference)) else { return nil }
            let raw = prefix + reference
            return raw + String(checkDigit(raw))
        }
        switch scheme {
        case "id:sgtin":
            guard let g = gtin(), let serial = rest, !serial.isEmpty else { return nil }
            return "https://id.gs1.org/01/\(g)/21/\(encode(serial))"
        case "class:lgtin":
            guard let g = gtin(), let lot = rest, !lot.isEmpty else { return nil }
            return "https://id.gs1.org/01/\(g)/10/\(encode(lot))"
        case "idpat:sgtin":
            guard let g = gtin(), rest == "*" else { return nil }
            return "https://id.gs1.org/01/\(g)"
        case "id:sscc":
            guard rest == nil, prefix.count + reference.count == 17, isDigits(Substring(reference)) else { return nil }
            let raw = String(reference.prefix(1)) + prefix + String(reference.dropFirst())
            return "https://id.gs1.org/00/\(raw)\(checkDigit(raw))"
        case "id:sgln":
            guard let g = gln(), let ext = rest, !ext.isEmpty else { return nil }
            return ext == "0" ? "https://id.gs1.org/414/\(g)" : "https://id.gs1.org/414/\(g)/254/\(encode(ext))"
        case "id:pgln":
            guard rest == nil, let g = gln() else { return nil }
            return "https://id.gs1.org/417/\(g)"
        case "id:grai":
            guard reference.count + prefix.count == 12, let serial = rest, !serial.isEmpty else { return nil }
            let raw = "0" + prefix + reference
            return "https://id.gs1.org/8003/\(raw)\(checkDigit(raw))\(encode(serial))"
        case "id:gdti":
            guard let g = gln(), let serial = rest else { return nil }
            return "https://id.gs1.org/253/\(g)\(encode(serial))"
        case "id:giai":
            guard rest == nil else { return nil }
            return "https://id.gs1.org/8004/\(prefix)\(encode(reference))"
        default:
            return nil
        }
    }

    /// Primary keys a Digital Link names, with their short names, and the one qualifier each keeps.
    static let keys: [String: String] = [
        "00": "00", "sscc": "00", "01": "01", "gtin": "01", "253": "253", "gdti": "253", "255": "255", "gcn": "255",
        "401": "401", "ginc": "401", "402": "402", "gsin": "402", "414": "414", "gln": "414", "417": "417", "party": "417",
        "8003": "8003", "grai": "8003", "8004": "8004", "giai": "8004", "8006": "8006", "itip": "8006", "8010": "8010",
        "cpid": "8010", "8017": "8017", "gsrnp": "8017", "8018": "8018", "gsrn": "8018",
    ]
    static let qualifiers: [String: String] = [
        "21": "21", "ser": "21", "10": "10", "lot": "10", "22": "22", "cpv": "22", "235": "235", "254": "254", "glnx": "254",
        "8011": "8011", "cpsn": "8011",
    ]

    static func fromLink(_ uri: String) -> String? {
        var rest = uri.drop { $0 != "/" }.dropFirst(2)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        rest = rest[slash...]
        if let q = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<q] }
        let segments = rest.split(separator: "/").map(String.init)
        // The first primary key whose value starts with four digits: a path may have a prefix.
        guard
            let start = segments.indices.first(where: { i in
                keys[segments[i]] != nil && i + 1 < segments.count && segments[i + 1].prefix(4).allSatisfy(\.isNumber)
                    && segments[i + 1].count >= 4
            })
        else { return nil }
        let key = keys[segments[start]]!
        var value = segments[start + 1]
        var found: [String: String] = [:]
        var i = start + 2
        while i + 1 < segments.count {
            guard let q = qualifiers[segments[i]] else { return nil }
            found[q] = segments[i + 1]
            i += 2
        }
        if key == "01" {
            guard [8, 12, 13, 14].contains(value.count), isDigits(Substring(value)) else { return nil }
            value = String(repeating: "0", count: 14 - value.count) + value
        }
        var out = "https://id.gs1.org/\(key)/\(value)"
        switch key {
        case "01", "8006":
            if let serial = found["21"] {
                out += "/21/\(serial)"
            } else if let lot = found["10"] {
                out += "/10/\(lot)"
            } else if key == "01", let tpx = found["235"] {
                out += "/235/\(tpx)"
            }
        case "414": if let ext = found["254"] { out += "/254/\(ext)" }
        case "8010": if let serial = found["8011"] { out += "/8011/\(serial)" }
        default: break
        }
        return out
    }
}
