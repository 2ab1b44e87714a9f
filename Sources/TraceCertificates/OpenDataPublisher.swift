import CanonicalJSON
public import Foundation
public import TraceCrypto
public import TraceDomain
import TraceLedger

/// `trace publish --open-data DIR`: the statistics as CSV and JSON, the plots as RFC 7946
/// GeoJSON (no plot, farm or person id), and a DCAT-AP style `catalog.json` that lists each file
/// with its SHA-256, signed by the operator (`catalog.json.sig`), so a portal's copy can be
/// checked against the ledger. Every file is written whole to a temporary name and renamed.
public struct OpenDataPublisher {
    public let chain: SupplyChain
    public let operatorKey: PrivateKey

    /// What a detached catalogue signature signs before the catalogue's bytes: it cannot be
    /// replayed as a signature over an entry, a checkpoint or any other operator statement.
    public static let signaturePrefix = Array("trace open-data catalog v1\n".utf8)

    public static let licence = "https://creativecommons.org/licenses/by/4.0/"

    /// What was written: each file and its SHA-256, and the checkpoint.
    public struct Report: Sendable {
        public let files: [(name: String, sha256: String, bytes: Int)]
        public let size: UInt64
        public let root: String
    }

    public init(chain: SupplyChain, operatorKey: PrivateKey) throws {
        // The key in force signs: the genesis key, or the one the latest `operator.rotate` named.
        guard operatorKey.publicKey == (try chain.ledger.operatorKeys()).current.publicKey else {
            throw DomainError(
                .keyNotValid,
                "--key: this is not the operator's key in force for this ledger; the catalogue is the operator's statement")
        }
        self.chain = chain
        self.operatorKey = operatorKey
    }

    /// Writes the datasets, the catalogue and its signature into `folder` (created if missing).
    public func publish(to folder: String) throws -> Report {
        let records = try chain.allRecords()
        let root = try chain.ledger.root(size: records.size).hex
        let stats = try Stats(records, root: root)
        let csv = [0xEF, 0xBB, 0xBF] + Array(stats.csv.utf8)
        let json = try CanonicalJSON.encode(stats.json)
        let geojson = try CanonicalJSON.encode(Self.plots(records))
        let datasets: [(name: String, bytes: [UInt8])] = [("stats.csv", csv), ("stats.json", json), ("plots.geojson", geojson)]
        let catalog = try CanonicalJSON.encode(
            catalogJSON(stats: stats, files: datasets.map { ($0.name, SHA256.hash($0.bytes).hex, $0.bytes.count) }))
        let signature = try operatorKey.sign(Self.signaturePrefix + catalog)
        let keyName = chain.ledger.metadata.operatorKey.name
        let sig = Array("\(keyName) \(Data(signature).base64EncodedString())\n".utf8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, bytes) in datasets + [("catalog.json", catalog), ("catalog.json.sig", sig)] {
            let path = (folder as NSString).appendingPathComponent(name)
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
        return Report(
            files: (datasets + [("catalog.json", catalog), ("catalog.json.sig", sig)]).map {
                ($0.name, SHA256.hash($0.bytes).hex, $0.bytes.count)
            }, size: stats.size, root: root)
    }

    /// Checks a catalogue's detached signature against the operator's public key.
    public static func verify(catalog: [UInt8], signatureFile: String, operatorKey: PublicKey) -> Bool {
        let fields = signatureFile.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard fields.count == 2, let signature = Data(base64Encoded: String(fields[1])), signature.count == 64 else {
            return false
        }
        return operatorKey.isValidSignature([UInt8](signature), for: signaturePrefix + catalog)
    }

    /// The plots as an RFC 7946 FeatureCollection: WGS 84 longitude, latitude; exterior rings
    /// counter-clockwise; properties the crop, area, commune and cooperative only.
    static func plots(_ records: StatsRecords) -> JSONValue {
        let parties = Dictionary(records.parties.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func position(_ p: PlotGeometry.Position) -> JSONValue { [.number(p.longitude), .number(p.latitude)] }
        func ring(_ positions: [PlotGeometry.Position], exterior: Bool) -> JSONValue {
            // Twice the signed area (shoelace): positive when counter-clockwise.
            var twice: Int64 = 0
            for (a, b) in zip(positions, positions.dropFirst()) {
                twice +=
                    (a.lon - positions[0].lon) * (b.lat - positions[0].lat) - (b.lon - positions[0].lon)
                    * (a.lat - positions[0].lat)
            }
            let ordered = (twice > 0) == exterior ? positions : positions.reversed()
            return .array(ordered.map(position))
        }
        let features: [JSONValue] = records.plots.map { plot in
            let geometry: JSONValue =
                plot.geometry.kind == .point
                ? ["type": "Point", "coordinates": position(plot.geometry.rings[0][0])]
                : [
                    "type": "Polygon",
                    "coordinates": .array(plot.geometry.rings.enumerated().map { ring($1, exterior: $0 == 0) }),
                ]
            let address = parties[plot.cooperative]?.address
            return [
                "type": "Feature", "geometry": geometry,
                "properties": [
                    "crop": .string(plot.crop), "areaHa": .number(NSDecimalNumber(decimal: plot.areaHa).doubleValue),
                    "province": address.map { .string($0.province) } ?? .null,
                    "commune": address.map { .string($0.commune) } ?? .null,
                    "cooperative": .string(parties[plot.cooperative]?.name ?? plot.cooperative),
                ],
            ]
        }
        return ["type": "FeatureCollection", "features": .array(features)]
    }

    private func catalogJSON(stats: Stats, files: [(name: String, sha256: String, bytes: Int)]) -> JSONValue {
        func text(_ vi: String, _ en: String) -> JSONValue {
            [["@language": "vi", "@value": .string(vi)], ["@language": "en", "@value": .string(en)]]
        }
        let period: JSONValue = [
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": stats.firstMonth.map(JSONValue.string) ?? .null,
            "dcat:endDate": stats.lastMonth.map(JSONValue.string) ?? .null,
        ]
        let origin = chain.ledger.metadata.origin
        let checkpoint: JSONValue = ["origin": .string(origin), "size": .int(Int(stats.size)), "rootHash": .string(stats.root)]
        func distribution(_ name: String, _ type: String) -> JSONValue {
            let file = files.first { $0.name == name }!
            return [
                "@type": "dcat:Distribution", "dct:title": .string(name), "dcat:downloadURL": .string(name),
                "dcat:mediaType": .string(type), "dcat:byteSize": .int(file.bytes), "dct:license": .string(Self.licence),
                "spdx:checksum": [
                    "@type": "spdx:Checksum", "spdx:algorithm": "spdx:checksumAlgorithm_sha256",
                    "spdx:checksumValue": .string(file.sha256),
                ],
            ]
        }
        let datasets: [JSONValue] = [
            [
                "@type": "dcat:Dataset", "dct:identifier": .string(origin + "/open-data/stats"),
                "dct:title": text("Số liệu truy xuất nguồn gốc nông sản", "Farm traceability statistics"),
                "dct:description": text(
                    "Số lượng và khối lượng theo tháng, tỉnh, xã, cây trồng, hợp tác xã, chứng nhận và nước nhập khẩu; nông hộ được đếm, không nêu tên; số liệu dưới \(Stats.threshold) nông hộ bị ẩn.",
                    "Counts and volumes by month, province, commune, crop, cooperative, certification scheme and destination country; farms counted, never named; figures behind fewer than \(Stats.threshold) farms suppressed."
                ),
                "dct:license": .string(Self.licence), "dct:temporal": period, "trace:checkpoint": checkpoint,
                "dcat:distribution": [distribution("stats.csv", "text/csv"), distribution("stats.json", "application/json")],
            ],
            [
                "@type": "dcat:Dataset", "dct:identifier": .string(origin + "/open-data/plots"),
                "dct:title": text("Thửa đất sản xuất đã đăng ký", "Registered production plots"),
                "dct:description": text(
                    "Ranh giới thửa đất (GeoJSON RFC 7946) với cây trồng, diện tích, xã và hợp tác xã; không có mã thửa, mã nông hộ hay dữ liệu cá nhân.",
                    "Plot boundaries (RFC 7946 GeoJSON) with crop, area, commune and cooperative; no plot, farm or person identifier."
                ),
                "dct:license": .string(Self.licence), "dct:temporal": period, "trace:checkpoint": checkpoint,
                "dcat:distribution": [distribution("plots.geojson", "application/geo+json")],
            ],
        ]
        return [
            "@context": [
                "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "spdx": "http://spdx.org/rdf/terms#",
                "foaf": "http://xmlns.com/foaf/0.1/", "trace": "https://github.com/trace/ns#",
            ],
            "@type": "dcat:Catalog",
            "dct:title": text("Dữ liệu mở truy xuất nguồn gốc", "Traceability open data"),
            "dct:description": text(
                "Dữ liệu mở tính từ sổ cái truy xuất nguồn gốc công khai; ai cũng có thể kiểm tra lại bằng `trace stats` tại điểm kiểm tra ghi dưới đây.",
                "Open data computed from the public traceability ledger; anyone can recompute it with `trace stats` at the checkpoint given."
            ),
            "dct:publisher": ["@type": "foaf:Agent", "foaf:name": .string(origin)],
            "dct:license": .string(Self.licence), "dct:temporal": period, "dct:issued": .string(Timestamp.now()),
            "trace:checkpoint": checkpoint,
            "dcat:dataset": .array(datasets),
        ]
    }
}
