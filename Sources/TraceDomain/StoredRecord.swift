import Foundation

/// A record as the rules index beside the ledger and the replay's temporary file hold it: a
/// compact binary form (docs/FORMAT.md section 9), several times cheaper to write and read than
/// JSON, which mattered because every batch writes each record it changed and a replay every lot.
protocol StoredRecord: Sendable {
    func write(to out: inout ByteWriter)
    init(reading input: inout ByteReader) throws
}

/// Appends values: unsigned integers as LEB128, strings with their UTF-8 length first.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func put(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func put(_ value: Int64) { put(UInt64(bitPattern: value)) }
    mutating func put(_ value: Int) { put(Int64(value)) }
    mutating func put(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func put(_ value: String) {
        var text = value
        text.withUTF8 { utf8 in
            put(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func put(_ value: String?) {
        put(value != nil)
        if let value { put(value) }
    }

    mutating func put(_ values: [String]) {
        put(UInt64(values.count))
        for value in values { put(value) }
    }

    mutating func put(_ values: [UInt64]) {
        put(UInt64(values.count))
        for value in values { put(value) }
    }

    /// The exact decimal, as its plain decimal string of kilograms.
    mutating func put(_ mass: Mass) { put(mass.kilograms.description) }

    mutating func put<R: StoredRecord>(_ records: [R]) {
        put(UInt64(records.count))
        for record in records { record.write(to: &self) }
    }
}

/// Reads what `ByteWriter` wrote, throwing on anything short or malformed.
struct ByteReader {
    private let bytes: [UInt8]
    private var at = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private static func damaged() -> ReplayError {
        ReplayError(message: "a stored rules record is damaged")
    }

    mutating func uint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while at < bytes.count, shift < 64 {
            let byte = bytes[at]
            at += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw Self.damaged()
    }

    mutating func int64() throws -> Int64 { Int64(bitPattern: try uint()) }
    mutating func int() throws -> Int { Int(try int64()) }

    mutating func bool() throws -> Bool {
        guard at < bytes.count, bytes[at] <= 1 else { throw Self.damaged() }
        at += 1
        return bytes[at - 1] == 1
    }

    mutating func string() throws -> String {
        let count = Int(try uint())
        guard count <= bytes.count - at else { throw Self.damaged() }
        defer { at += count }
        return String(decoding: bytes[at..<(at + count)], as: UTF8.self)
    }

    mutating func optionalString() throws -> String? { try bool() ? try string() : nil }

    mutating func strings() throws -> [String] { try (0..<(try count())).map { _ in try string() } }
    mutating func uints() throws -> [UInt64] { try (0..<(try count())).map { _ in try uint() } }

    mutating func mass() throws -> Mass {
        guard let value = Decimal(string: try string()), value.isFinite else { throw Self.damaged() }
        return Mass(kilograms: value)
    }

    /// Everything not read yet.
    mutating func rest() -> [UInt8] {
        defer { at = bytes.count }
        return Array(bytes[at...])
    }

    mutating func records<R: StoredRecord>() throws -> [R] { try (0..<(try count())).map { _ in try R(reading: &self) } }

    /// A count of items, each at least one byte: no more than the bytes left.
    private mutating func count() throws -> Int {
        let count = try uint()
        guard count <= UInt64(bytes.count - at) else { throw Self.damaged() }
        return Int(count)
    }
}

extension LotRecord: StoredRecord {
    func write(to out: inout ByteWriter) {
        out.put(code.text)
        out.put(product)
        out.put(produced)
        out.put(held)
        out.put(custodian)
        status.write(to: &out)
        out.put(createdSeq)
        out.put(lastTimeMs)
        out.put(plot)
        out.put(harvested)
        out.put(parents)
        out.put(children)
        out.put(entries)
        out.put(certifications)
        out.put(holds.sorted())
        out.put(custodians)
        out.put(export != nil)
        export?.write(to: &out)
    }

    init(reading input: inout ByteReader) throws {
        self.init(
            code: try LotCode(try input.string()), product: try input.string(), produced: try input.mass(),
            held: try input.mass(), custodian: try input.string(), status: try LotStatus(reading: &input),
            createdSeq: try input.uint(), lastTimeMs: try input.int64(), plot: try input.optionalString(),
            harvested: try input.optionalString(), parents: try input.strings(), children: try input.strings(),
            entries: try input.uints(), certifications: try input.records(), holds: Set(try input.uints()),
            custodians: try input.strings(), export: try input.bool() ? try ExportRecord(reading: &input) : nil)
    }
}

extension LotStatus: StoredRecord {
    func write(to out: inout ByteWriter) {
        switch self {
        case .active: out.put(UInt64(0))
        case .inTransit(let to, let shipSeq):
            out.put(UInt64(1))
            out.put(to)
            out.put(shipSeq)
        case .exported: out.put(UInt64(2))
        case .voided: out.put(UInt64(3))
        }
    }

    init(reading input: inout ByteReader) throws {
        switch try input.uint() {
        case 0: self = .active
        case 1: self = .inTransit(to: try input.string(), shipSeq: try input.uint())
        case 2: self = .exported
        case 3: self = .voided
        default: throw ReplayError(message: "a stored lot's status is damaged")
        }
    }
}

extension Certification: StoredRecord {
    func write(to out: inout ByteWriter) {
        out.put(seq)
        out.put(scheme)
        out.put(reference)
        out.put(documentSHA256)
        out.put(certifier)
        out.put(validUntil)
        out.put(voided)
    }

    init(reading input: inout ByteReader) throws {
        self.init(
            seq: try input.uint(), scheme: try input.string(), reference: try input.optionalString(),
            documentSHA256: try input.string(), certifier: try input.string(), validUntil: try input.optionalString(),
            voided: try input.bool())
    }
}

extension ExportRecord: StoredRecord {
    func write(to out: inout ByteWriter) {
        out.put(seq)
        out.put(buyer)
        out.put(country)
        out.put(container)
        out.put(gtin)
    }

    init(reading input: inout ByteReader) throws {
        self.init(
            seq: try input.uint(), buyer: try input.string(), country: try input.string(), container: try input.string(),
            gtin: try input.optionalString())
    }
}

extension Drawn: StoredRecord {
    func write(to out: inout ByteWriter) {
        out.put(lot)
        out.put(mass)
    }

    init(reading input: inout ByteReader) throws { self.init(lot: try input.string(), mass: try input.mass()) }
}

extension EntryFact: StoredRecord {
    func write(to out: inout ByteWriter) {
        out.put(actor)
        out.put(voided)
        switch effect {
        case nil: out.put(UInt64(0))
        case .created(let lot):
            out.put(UInt64(1))
            out.put(lot)
        case .shipped(let lot):
            out.put(UInt64(2))
            out.put(lot)
        case .certified(let lot, let index):
            out.put(UInt64(3))
            out.put(lot)
            out.put(index)
        case .converted(let inputs, let outputs):
            out.put(UInt64(4))
            out.put(inputs)
            out.put(outputs)
        }
    }

    init(reading input: inout ByteReader) throws {
        let actor = try input.string()
        let voided = try input.bool()
        let effect: Effect?
        switch try input.uint() {
        case 0: effect = nil
        case 1: effect = .created(lot: try input.string())
        case 2: effect = .shipped(lot: try input.string())
        case 3: effect = .certified(lot: try input.string(), index: try input.int())
        case 4: effect = .converted(inputs: try input.records(), outputs: try input.strings())
        default: throw ReplayError(message: "a stored entry's effect is damaged")
        }
        self.init(actor: actor, effect: effect, voided: voided)
    }
}

/// Plots and parties are few and seldom change: their JSON form will do.
protocol JSONStoredRecord: StoredRecord, Codable {}

extension JSONStoredRecord {
    func write(to out: inout ByteWriter) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        out.bytes.append(contentsOf: (try? encoder.encode(self)) ?? Data())
    }

    init(reading input: inout ByteReader) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(input.rest()))
    }
}

extension PlotRecord: JSONStoredRecord {}
extension PartyRecord: JSONStoredRecord {}

/// A recall's lot key (empty once released).
extension String: StoredRecord {
    func write(to out: inout ByteWriter) { out.put(self) }
    init(reading input: inout ByteReader) throws { self = try input.string() }
}
