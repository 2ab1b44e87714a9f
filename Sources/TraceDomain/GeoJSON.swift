public import CanonicalJSON
import Foundation

/// A plot's geometry: an RFC 7946 Point or Polygon, [longitude, latitude] in WGS 84, kept to six
/// decimal places (about 0.1 m), which is what the EU Deforestation Regulation asks for.
public struct PlotGeometry: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable {
        case point = "Point"
        case polygon = "Polygon"
    }

    public let kind: Kind
    /// For a point one position; for a polygon its rings, the first the outer boundary.
    public let rings: [[Position]]

    public struct Position: Sendable, Equatable {
        /// Micro-degrees, exact: six decimal places kept, no floating point drift.
        public let lon: Int64, lat: Int64
        public var longitude: Double { Double(lon) / 1e6 }
        public var latitude: Double { Double(lat) / 1e6 }
    }

    public init(from decoder: any Decoder) throws {
        self = try PlotGeometry(geojson: try decoder.singleValueContainer().decode(String.self), field: "index")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(geoJSONText)
    }

    /// Parses GeoJSON text or a JSON value, validating it.
    public init(geojson text: String, field: String = "--geometry") throws {
        let value: JSONValue
        do { value = try CanonicalJSON.parse(text) } catch {
            throw DomainError(.badInput, "\(field): not JSON: \(error)")
        }
        try self.init(json: value, field: field)
    }

    public init(json: JSONValue, field: String) throws {
        guard let o = json.objectValue, let type = o["type"]?.stringValue else {
            throw DomainError(.badInput, "\(field): GeoJSON needs a \"type\" (Point or Polygon)")
        }
        // A mapping tool's export is a FeatureCollection: one feature is one plot.
        if type == "FeatureCollection" {
            let features = o["features"]?.arrayValue ?? []
            guard features.count == 1 else {
                throw DomainError(
                    .badInput,
                    "\(field): the FeatureCollection holds \(features.count) features; a plot is one Point or Polygon, so register each feature as its own plot"
                )
            }
            self = try PlotGeometry(json: features[0], field: field)
            return
        }
        // A Feature is accepted for convenience; its geometry is what counts.
        if type == "Feature", let g = o["geometry"] {
            self = try PlotGeometry(json: g, field: field)
            return
        }
        guard let kind = Kind(rawValue: type) else {
            throw DomainError(.badInput, "\(field): geometry type \"\(type)\" is not Point or Polygon")
        }
        guard let coordinates = o["coordinates"] else { throw DomainError(.badInput, "\(field): no \"coordinates\"") }
        switch kind {
        case .point:
            self.init(kind: kind, rings: [[try Self.position(coordinates, field: field)]])
        case .polygon:
            guard let ringValues = coordinates.arrayValue, !ringValues.isEmpty else {
                throw DomainError(.badInput, "\(field): a Polygon needs at least one ring")
            }
            let rings = try ringValues.enumerated().map { i, ring in
                guard let points = ring.arrayValue, points.count >= 4 else {
                    throw DomainError(.badInput, "\(field): ring \(i) needs at least 4 positions (a closed ring)")
                }
                let positions = try points.map { try Self.position($0, field: field) }
                guard positions.first == positions.last else {
                    throw DomainError(.badInput, "\(field): ring \(i) is not closed: its last position must repeat its first")
                }
                return positions
            }
            self.init(kind: kind, rings: rings)
        }
    }

    private init(kind: Kind, rings: [[Position]]) {
        self.kind = kind
        self.rings = rings
    }

    private static func position(_ value: JSONValue, field: String) throws -> Position {
        // An altitude would be dropped without a word: refused, so what is signed is what was sent.
        if let values = value.arrayValue, values.count > 2 {
            throw DomainError(
                .badInput,
                "\(field): a position has \(values.count) numbers; only [longitude, latitude] is recorded, "
                    + "remove the altitude (3-D positions are refused, not truncated)")
        }
        guard let pair = value.arrayValue, pair.count >= 2, case .number(let lon) = pair[0], case .number(let lat) = pair[1]
        else {
            throw DomainError(.badInput, "\(field): a position is [longitude, latitude]")
        }
        guard (-180...180).contains(lon), (-90...90).contains(lat) else {
            throw DomainError(
                .badInput, "\(field): position [\(lon), \(lat)] is out of range; GeoJSON order is [longitude, latitude]")
        }
        return Position(lon: Int64((lon * 1e6).rounded()), lat: Int64((lat * 1e6).rounded()))
    }

    /// The geometry as it is stored in an event: coordinates as decimal strings with six places,
    /// since event numbers are integers only ("106.512345").
    public var storedJSON: JSONValue {
        func pos(_ p: Position) -> JSONValue { [.string(Self.decimal(p.lon)), .string(Self.decimal(p.lat))] }
        switch kind {
        case .point: return ["type": "Point", "coordinates": pos(rings[0][0])]
        case .polygon: return ["type": "Polygon", "coordinates": .array(rings.map { .array($0.map(pos)) })]
        }
    }

    /// Reads the stored form, checking it as strictly as GeoJSON input: a stored event is
    /// untrusted input too (a raw submit, or a certificate's entry), and must never trap.
    init(stored: JSONValue?, field: String) throws {
        guard let o = stored?.objectValue, let type = o["type"]?.stringValue, let kind = Kind(rawValue: type),
            let coordinates = o["coordinates"]
        else { throw DomainError(.badInput, "\(field): bad stored geometry") }
        func pos(_ v: JSONValue) throws -> Position {
            guard let a = v.arrayValue, a.count == 2, let lon = a[0].stringValue.flatMap(Self.micro),
                let lat = a[1].stringValue.flatMap(Self.micro)
            else {
                throw DomainError(.badInput, "\(field): a stored position is [\"longitude\", \"latitude\"] with six decimals")
            }
            guard (-180_000_000...180_000_000).contains(lon), (-90_000_000...90_000_000).contains(lat) else {
                throw DomainError(.badInput, "\(field): position [\(Self.decimal(lon)), \(Self.decimal(lat))] is out of range")
            }
            return Position(lon: lon, lat: lat)
        }
        self.kind = kind
        switch kind {
        case .point: rings = [[try pos(coordinates)]]
        case .polygon:
            guard let ringValues = coordinates.arrayValue, !ringValues.isEmpty else {
                throw DomainError(.badInput, "\(field): a Polygon needs at least one ring")
            }
            rings = try ringValues.enumerated().map { i, ring in
                guard let points = ring.arrayValue, points.count >= 4 else {
                    throw DomainError(.badInput, "\(field): ring \(i) needs at least 4 positions (a closed ring)")
                }
                let positions = try points.map(pos)
                guard positions.first == positions.last else {
                    throw DomainError(.badInput, "\(field): ring \(i) is not closed: its last position must repeat its first")
                }
                return positions
            }
        }
    }

    static func decimal(_ micro: Int64) -> String {
        let sign = micro < 0 ? "-" : ""
        let m = micro.magnitude
        let frac = String(m % 1_000_000)
        return "\(sign)\(m / 1_000_000).\(String(repeating: "0", count: 6 - frac.count))\(frac)"
    }

    /// "106.512345" as 106512345 micro-degrees: at most three integer digits and exactly six
    /// decimals, read as integers (no floating point, no overflow).
    static func micro(_ text: String) -> Int64? {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...3).contains(parts[0].count), parts[1].count == 6,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let whole = Int64(parts[0]), let fraction = Int64(parts[1])
        else { return nil }
        let value = whole * 1_000_000 + fraction
        return negative ? -value : value
    }

    /// Standard GeoJSON with numeric coordinates (six decimal places), for export.
    public var geoJSONText: String {
        func pos(_ p: Position) -> String { "[\(Self.decimal(p.lon)),\(Self.decimal(p.lat))]" }
        switch kind {
        case .point: return "{\"type\":\"Point\",\"coordinates\":\(pos(rings[0][0]))}"
        case .polygon:
            return "{\"type\":\"Polygon\",\"coordinates\":["
                + rings.map { "[" + $0.map(pos).joined(separator: ",") + "]" }.joined(separator: ",") + "]}"
        }
    }
}
