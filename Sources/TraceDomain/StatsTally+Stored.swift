import Foundation
import TraceLedger

// The running aggregate's records in the index's compact form (docs/FORMAT.md section 9).

extension ByteWriter {
    mutating func put(_ value: Decimal) { put(value.description) }

    mutating func put(_ cell: StatsCell) {
        put(cell.crop)
        put(cell.month)
    }

    mutating func put(_ slot: StatsSlot) {
        put(slot.dimension)
        put(slot.key)
    }

    mutating func put(_ totals: StatsTotals) {
        put(totals.count)
        put(totals.plots)
        put(totals.kilograms)
        put(totals.hectares)
    }
}

extension ByteReader {
    mutating func decimal() throws -> Decimal {
        guard let value = Decimal(string: try string()), value.isFinite else {
            throw ReplayError(message: "a stored rules record is damaged")
        }
        return value
    }

    mutating func cell() throws -> StatsCell { StatsCell(crop: try string(), month: try optionalString()) }
    mutating func slot() throws -> StatsSlot { StatsSlot(dimension: try string(), key: try string()) }

    mutating func totals() throws -> StatsTotals {
        StatsTotals(count: try int(), plots: try int(), kilograms: try decimal(), hectares: try decimal())
    }

    /// A count of items, each at least one byte.
    mutating func itemCount() throws -> Int {
        let count = try uint()
        guard count <= UInt64(Int.max) else { throw ReplayError(message: "a stored rules record is damaged") }
        return Int(count)
    }
}

extension LotShare: StoredRecord {
    func write(to out: inout ByteWriter) {
        out.put(createdSeq)
        out.put(selfCertified)
        out.put(UInt64(origins.count))
        for origin in origins {
            out.put(origin.cell)
            out.put(origin.farm)
        }
        out.put(UInt64(slots.count))
        for slotted in slots {
            out.put(slotted.slot)
            out.put(slotted.totals)
        }
    }

    init(reading input: inout ByteReader) throws {
        createdSeq = try input.uint()
        selfCertified = try input.bool()
        origins = try (0..<(try input.itemCount())).map { _ in StatsOrigin(cell: try input.cell(), farm: try input.string()) }
        slots = try (0..<(try input.itemCount())).map { _ in Slotted(slot: try input.slot(), totals: try input.totals()) }
    }
}

extension PlotShare: StoredRecord {
    func write(to out: inout ByteWriter) {
        out.put(crop)
        out.put(cooperative)
        out.put(farm)
        out.put(hectares)
    }

    init(reading input: inout ByteReader) throws {
        crop = try input.string()
        cooperative = try input.string()
        farm = try input.string()
        hectares = try input.decimal()
    }
}

/// The records of the `domain.index.tally` space, told apart by the first letter of the key.
enum TallyRecord {
    /// `s`: one signature's sums by slot.
    static func sumsKey(_ signature: [StatsCell]) -> String { "s" + signature.map(cellKey).joined() }
    /// `f`: the farms behind one slot in one cell, with the number of items each is behind.
    static func farmsKey(_ cell: StatsCell, _ slot: StatsSlot) -> String {
        "f" + cellKey(cell) + netstring(slot.dimension) + netstring(slot.key)
    }
    /// `c`: a crop row's label.
    static func cropKey(_ crop: String) -> String { "c" + crop }

    /// Length-prefixed, so that no two different lists make the same key.
    static func netstring(_ text: String) -> String { "\(text.utf8.count):\(text)," }
    static func cellKey(_ cell: StatsCell) -> String { netstring(cell.crop) + (cell.month.map { "+" + netstring($0) } ?? "-") }

    static func encodeSums(_ signature: [StatsCell], _ slots: [StatsSlot: StatsTotals]) -> [UInt8] {
        var out = ByteWriter()
        out.put(UInt64(signature.count))
        for cell in signature { out.put(cell) }
        out.put(UInt64(slots.count))
        for (slot, totals) in slots.sorted(by: { $0.key < $1.key }) {
            out.put(slot)
            out.put(totals)
        }
        return out.bytes
    }

    static func decodeSums(_ bytes: [UInt8]) throws -> (signature: [StatsCell], slots: [StatsSlot: StatsTotals]) {
        var input = ByteReader(bytes)
        let signature = try (0..<(try input.itemCount())).map { _ in try input.cell() }
        var slots: [StatsSlot: StatsTotals] = [:]
        for _ in 0..<(try input.itemCount()) { slots[try input.slot()] = try input.totals() }
        return (signature, slots)
    }

    static func encodeFarms(_ cell: StatsCell, _ slot: StatsSlot, _ counts: [String: Int]) -> [UInt8] {
        var out = ByteWriter()
        out.put(cell)
        out.put(slot)
        out.put(UInt64(counts.count))
        for (farm, n) in counts.sorted(by: { $0.key < $1.key }) {
            out.put(farm)
            out.put(n)
        }
        return out.bytes
    }

    static func decodeFarms(_ bytes: [UInt8]) throws -> (cell: StatsCell, slot: StatsSlot, counts: [String: Int]) {
        var input = ByteReader(bytes)
        let cell = try input.cell()
        let slot = try input.slot()
        var counts: [String: Int] = [:]
        for _ in 0..<(try input.itemCount()) { counts[try input.string()] = try input.int() }
        return (cell, slot, counts)
    }

    static func encodeCrop(_ label: CropLabel) -> [UInt8] {
        var out = ByteWriter()
        out.put(label.plot)
        out.put(label.label)
        return out.bytes
    }

    static func decodeCrop(_ bytes: [UInt8]) throws -> CropLabel {
        var input = ByteReader(bytes)
        return CropLabel(plot: try input.string(), label: try input.string())
    }
}

extension StatsTally {
    static func load(records: [(key: String, value: [UInt8])]) throws -> StatsTally {
        var tally = StatsTally()
        for (key, bytes) in records {
            switch key.first {
            case "s":
                let (signature, slots) = try TallyRecord.decodeSums(bytes)
                tally.sums[signature] = slots
            case "f":
                let (cell, slot, counts) = try TallyRecord.decodeFarms(bytes)
                tally.farms[cell, default: [:]][slot] = counts
            case "c":
                tally.crops[String(key.dropFirst())] = try TallyRecord.decodeCrop(bytes)
            default:
                throw ReplayError(message: "a stored rules record is damaged")
            }
        }
        return tally
    }
}
