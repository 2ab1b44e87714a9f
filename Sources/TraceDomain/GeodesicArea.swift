import Foundation

/// The area of a plot's polygon on the WGS 84 ellipsoid, computed as the spherical excess on the
/// authalic sphere (the sphere with the ellipsoid's surface area), after mapping each latitude to
/// its authalic latitude: an equal-area mapping, so areas are the ellipsoid's to within the
/// difference between a great-circle and a geodesic edge (nothing at the size of a plot).
/// docs/RULES.md gives the formulas, so an independent verifier computes the same figure.
public enum GeodesicArea {
    /// WGS 84 semi-major axis (m) and flattening.
    static let a = 6_378_137.0
    static let f = 1 / 298.257_223_563
    static let e2 = f * (2 - f)
    static let e = e2.squareRoot()

    /// q(φ) of the authalic latitude (Snyder, Map Projections: A Working Manual, eq. 3-12).
    static func q(_ sinPhi: Double) -> Double {
        (1 - e2) * (sinPhi / (1 - e2 * sinPhi * sinPhi) - 1 / (2 * e) * log((1 - e * sinPhi) / (1 + e * sinPhi)))
    }

    static let qp = q(1)
    /// The authalic sphere's radius, about 6,371,007.18 m.
    public static let authalicRadius = a * (qp / 2).squareRoot()

    /// The authalic latitude β of geodetic latitude φ (radians): sin β = q(φ) / q(90°).
    static func authalic(_ phi: Double) -> Double { asin(max(-1, min(1, q(sin(phi)) / qp))) }

    /// The area enclosed by one closed ring, in square metres (unsigned).
    static func ringArea(_ ring: [PlotGeometry.Position]) -> Double {
        guard ring.count >= 4 else { return 0 }
        var excess = 0.0
        for i in 0..<(ring.count - 1) {
            let lon1 = ring[i].longitude * .pi / 180
            let lon2 = ring[i + 1].longitude * .pi / 180
            let t1 = tan(authalic(ring[i].latitude * .pi / 180) / 2)
            let t2 = tan(authalic(ring[i + 1].latitude * .pi / 180) / 2)
            // The signed excess of the triangle formed by the edge and the pole.
            var dLon = lon2 - lon1
            if dLon > .pi { dLon -= 2 * .pi }
            if dLon < -.pi { dLon += 2 * .pi }
            excess += 2 * atan2(tan(dLon / 2) * (t1 + t2), 1 + t1 * t2)
        }
        return abs(excess) * authalicRadius * authalicRadius
    }

    /// The polygon's area in hectares: its outer ring less its holes; nil for a point.
    public static func hectares(_ geometry: PlotGeometry) -> Double? {
        guard geometry.kind == .polygon, let outer = geometry.rings.first else { return nil }
        let holes = geometry.rings.dropFirst().reduce(0.0) { $0 + ringArea($1) }
        return max(0, ringArea(outer) - holes) / 10_000
    }
}
