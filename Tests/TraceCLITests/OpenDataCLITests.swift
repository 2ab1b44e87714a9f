import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCertificates
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

/// `trace publish --open-data` through the real binary: the files parse, the catalogue's hashes
/// and signature check, and no person's name, phone, ID number or party id is in any file.
struct OpenDataCLITests {
    static let persons = [
        (id: "p-farmer0001", name: "Nguyễn Thị Hoa", phone: "0912345678", idNumber: "079190001234"),
        (id: "p-farmer0002", name: "Lê Văn Tám", phone: "0987654321", idNumber: "079190005678"),
        (id: "p-farmer0003", name: "Phạm Minh Châu", phone: "0901112223", idNumber: "079190009999"),
    ]

    /// The harness's cooperative with three member farmers registered as persons, a plot and a harvest each.
    static func ledger() throws -> CLIHarness {
        let h = try CLIHarness()
        for (n, person) in persons.enumerated() {
            let key = try h.run("keys", "new", "--name", person.id, "--out", person.id + ".key")
            try h.runAll([
                [
                    "party", "add", "--person", "--id", person.id, "--name", person.name, "--phone", person.phone, "--id-number",
                    person.idNumber, "--role", "farm", "--member-of", "htx-tan-lap", "--vkey",
                    key.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                ],
                [
                    "plot", "add", "--key", "htx-tan-lap.key", "--id", "PLOT-\(person.id)", "--farm", person.id, "--area-ha",
                    "1.5",
                    "--crop", "lúa", "--geometry",
                    // Drawn clockwise: the GeoJSON must turn it counter-clockwise (RFC 7946).
                    #"{"type":"Polygon","coordinates":[[[106.51\#(n),10.60],[106.51\#(n),10.601],[106.511\#(n),10.601],[106.511\#(n),10.60],[106.51\#(n),10.60]]]}"#,
                ],
                [
                    "add", "--key", "htx-tan-lap.key", "--lot", "H-\(n)", "--product", "Lúa ST25", "--quantity", "900", "--plot",
                    "PLOT-\(person.id)", "--harvested", "2026-07-0\(n + 1)",
                ],
            ])
        }
        return h
    }

    @Test func theDatasetsCarryNoPersonalDataAndTheCatalogueChecks() throws {
        let h = try Self.ledger()
        let folder = h.directory + "/open-data"
        let result = try h.run("publish", "--open-data", folder, "--key", h.operatorKeyPath)
        #expect(result.status == 0, "\(result.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == ["catalog.json", "catalog.json.sig", "plots.geojson", "stats.csv", "stats.json"])
        for name in names {
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            for person in Self.persons {
                for secret in [person.name, person.phone, person.idNumber, person.id] {
                    #expect(!text.contains(secret), "\(name) holds \(secret)")
                }
            }
            #expect(!text.contains("trang-trai-bay"), "\(name) names a farm")
        }
        // The catalogue lists every dataset with its SHA-256, and the operator signed its exact bytes.
        let catalogBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/catalog.json")))
        let catalog = try CanonicalJSON.parse(catalogBytes)
        var listed: [String] = []
        for dataset in catalog["dcat:dataset"]?.arrayValue ?? [] {
            #expect(dataset["dct:title"]?.arrayValue?.count == 2)
            #expect(dataset["dct:license"]?.stringValue == OpenDataPublisher.licence)
            for distribution in dataset["dcat:distribution"]?.arrayValue ?? [] {
                let name = try #require(distribution["dcat:downloadURL"]?.stringValue)
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
                #expect(distribution["spdx:checksum"]?["spdx:checksumValue"]?.stringValue == SHA256.hash(bytes).hex)
                listed.append(name)
            }
        }
        #expect(listed.sorted() == ["plots.geojson", "stats.csv", "stats.json"])
        #expect(catalog["trace:checkpoint"]?["size"]?.intValue == Int(try Ledger(path: h.ledger).size()))
        let signature = try String(contentsOfFile: folder + "/catalog.json.sig", encoding: .utf8)
        let operatorKey = try Ledger(path: h.ledger).metadata.operatorKey.publicKey
        #expect(OpenDataPublisher.verify(catalog: catalogBytes, signatureFile: signature, operatorKey: operatorKey))
        var tampered = catalogBytes
        tampered[tampered.count / 2] ^= 1
        #expect(!OpenDataPublisher.verify(catalog: tampered, signatureFile: signature, operatorKey: operatorKey))
        // Without the domain-separation prefix the same signature does not verify.
        let fields = signature.split(separator: " ")
        let raw = [UInt8](Data(base64Encoded: String(fields[1]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? Data())
        #expect(!operatorKey.isValidSignature(raw, for: catalogBytes))
    }

    @Test func theCSVParsesTheJSONMatchesTraceStatsAndTheGeoJSONIsRFC7946() throws {
        let h = try Self.ledger()
        let folder = h.directory + "/open-data"
        #expect(try h.run("publish", "--open-data", folder, "--key", h.operatorKeyPath).status == 0)
        let csvBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/stats.csv")))
        #expect(csvBytes.prefix(3) == [0xEF, 0xBB, 0xBF])
        let rows = try Self.parseCSV(String(decoding: csvBytes.dropFirst(3), as: UTF8.self))
        let header = try #require(rows.first)
        #expect(header.first == "dimension" && header.contains("checkpoint_root"))
        #expect(rows.dropFirst().allSatisfy { $0.count == header.count })
        let harvests = try #require(rows.first { $0[0] == "total" && $0[1] == "harvests" })
        #expect(harvests[6] == "3" && harvests[7] == "2700")
        // stats.json is what `trace stats --json` prints at the same size.
        let stats = try h.run("stats", "--json")
        let published = try CanonicalJSON.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/stats.json"))))
        #expect(try CanonicalJSON.encode(published) == CanonicalJSON.encode(try CanonicalJSON.parse(stats.stdout)))
        let geo = try CanonicalJSON.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/plots.geojson"))))
        #expect(geo["type"]?.stringValue == "FeatureCollection")
        #expect(geo["crs"] == nil)
        let features = geo["features"]?.arrayValue ?? []
        #expect(features.count == 4)
        for feature in features {
            #expect(feature["type"]?.stringValue == "Feature")
            #expect(feature["id"] == nil)
            let keys = Set((feature["properties"]?.objectValue ?? [:]).keys)
            #expect(keys.isSubset(of: ["crop", "areaHa", "province", "commune", "cooperative"]))
            guard feature["geometry"]?["type"]?.stringValue == "Polygon" else { continue }
            let ring = (feature["geometry"]?["coordinates"]?.arrayValue?.first?.arrayValue ?? []).map { p -> (Double, Double) in
                guard case .number(let x) = p.arrayValue?[0], case .number(let y) = p.arrayValue?[1] else { return (0, 0) }
                return (x, y)
            }
            let twiceArea = zip(ring, ring.dropFirst()).reduce(0.0) { $0 + ($1.0.0 * $1.1.1 - $1.1.0 * $1.0.1) }
            #expect(twiceArea > 0, "exterior rings are counter-clockwise")
            #expect(ring.first! == ring.last!)
        }
    }

    @Test func traceStatsGivesTheSameFiguresFromTheIndexAndFromAFullReplay() throws {
        let h = try Self.ledger()
        let indexed = try h.run("stats", "--json")
        let replayed = try h.run("stats", "--json", "--replay")
        #expect(indexed.status == 0 && replayed.status == 0)
        #expect(!indexed.stdout.isEmpty && indexed.stdout == replayed.stdout)
        #expect(try h.run("stats", "--csv").stdout == h.run("stats", "--csv", "--replay").stdout)
    }

    @Test func publishingOpenDataNeedsTheOperatorsKey() throws {
        let h = try Self.ledger()
        let result = try h.run("publish", "--open-data", h.directory + "/od", "--key", "htx-tan-lap.key")
        #expect(result.status == 2)
        #expect(result.stderr.contains("operator"))
        #expect(!FileManager.default.fileExists(atPath: h.directory + "/od/catalog.json"))
    }

    /// RFC 4180: CRLF rows, fields quoted when they hold a comma, quote or line break.
    static func parseCSV(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        field.append("\"")
                        chars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field)
                field = ""
            } else if c == "\r\n" || c == "\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.append(c)
            }
        }
        #expect(!quoted && field.isEmpty && row.isEmpty, "the CSV ends with a complete row")
        return rows
    }
}
