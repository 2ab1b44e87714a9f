/// One C2SP tlog-tiles resource: a hash tile at a level, or an entry bundle, with its index and
/// width. Tiles have height 8: a full tile holds 256 hashes (or entries).
public struct Tile: Sendable, Hashable, CustomStringConvertible {
    /// What a tile holds.
    public enum Kind: Sendable, Hashable {
        /// Merkle tree hashes at tile level L: each is the hash of a complete subtree of 256^L entries.
        case hashes(level: Int)
        /// The entries themselves, each behind a big-endian 16-bit length.
        case entries
    }

    /// Hashes (or entries) in a full tile.
    public static let width = 256
    /// Tree levels one tile spans.
    public static let height = 8

    public let kind: Kind
    /// The tile's number within its level.
    public let index: UInt64
    /// How many hashes or entries it holds: 256 for a full tile, 1 to 255 for a partial one.
    public let width: Int

    public init(kind: Kind, index: UInt64, width: Int = Tile.width) {
        precondition((1...Tile.width).contains(width))
        self.kind = kind
        self.index = index
        self.width = width
    }

    /// True when the tile holds all 256 hashes or entries: it can never change.
    public var isFull: Bool { width == Tile.width }

    /// The Merkle tree level of each hash the tile holds (0 for entry bundles, whose entries are leaves).
    public var treeLevel: Int {
        switch kind {
        case .hashes(let level): level * Tile.height
        case .entries: 0
        }
    }

    /// The tree size from which this tile exists: every hash (or entry) it holds is complete.
    public var neededTreeSize: UInt64 {
        // Checked arithmetic all the way: a tile number from a URL may be near 2^64.
        let (first, o1) = index.multipliedReportingOverflow(by: UInt64(Tile.width))
        let (count, o2) = first.addingReportingOverflow(UInt64(width))
        guard !o1, !o2, count.leadingZeroBitCount >= treeLevel else { return .max }
        return count << UInt64(treeLevel)
    }

    /// The path below the log's prefix: `tile/L/N[.p/W]` or `tile/entries/N[.p/W]`, with N in
    /// three-digit groups, all but the last prefixed with `x` (1234067 is `x001/x234/067`).
    public var path: String {
        let level =
            switch kind {
            case .hashes(let level): String(level)
            case .entries: "entries"
            }
        return "tile/\(level)/\(Self.encode(index))" + (isFull ? "" : ".p/\(width)")
    }

    public var description: String { path }

    /// The index in path form: `x001/x234/067`.
    static func encode(_ index: UInt64) -> String {
        var groups: [String] = []
        var n = index
        repeat {
            let group = String(n % 1000)
            groups.append(String(repeating: "0", count: 3 - group.count) + group)
            n /= 1000
        } while n > 0
        return groups.reversed().enumerated().map { $0.offset == groups.count - 1 ? $0.element : "x" + $0.element }
            .joined(separator: "/")
    }

    /// Parses a path below the prefix, exactly as C2SP tlog-tiles spells it (no leading zeros,
    /// levels 0 to 63, widths 1 to 255 for partial tiles); nil for anything else.
    public init?(path: String) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "tile" else { return nil }
        let kind: Kind
        if parts[1] == "entries" {
            kind = .entries
        } else {
            guard let level = Self.decimal(parts[1]), level <= 63 else { return nil }
            kind = .hashes(level: Int(level))
        }
        parts.removeFirst(2)
        var width = Tile.width
        if parts.count >= 2, parts[parts.count - 2].hasSuffix(".p") {
            guard let w = Self.decimal(parts[parts.count - 1]), (1..<UInt64(Tile.width)).contains(w) else { return nil }
            width = Int(w)
            parts.removeLast()
            parts[parts.count - 1].removeLast(2)
        }
        var index: UInt64 = 0
        for (i, part) in parts.enumerated() {
            let digits = i == parts.count - 1 ? Substring(part) : part.hasPrefix("x") ? part.dropFirst() : ""
            guard digits.count == 3, digits.allSatisfy({ $0 >= "0" && $0 <= "9" }), let group = UInt64(digits) else {
                return nil
            }
            let (scaled, o1) = index.multipliedReportingOverflow(by: 1000)
            let (sum, o2) = scaled.addingReportingOverflow(group)
            guard !o1, !o2 else { return nil }
            index = sum
        }
        // No tree of 2^64 entries has a tile beyond this; refusing it keeps index * 256 in range.
        guard index <= UInt64.max >> 8 else { return nil }
        self.init(kind: kind, index: index, width: width)
        // One spelling per tile: "x000/067" is not 67.
        guard self.path == path else { return nil }
    }

    private static func decimal(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.allSatisfy({ $0 >= "0" && $0 <= "9" }), text == "0" || !text.hasPrefix("0") else { return nil }
        return UInt64(text)
    }

    /// Every tile of the tree of `size` entries: the full tiles and, at each level, the partial
    /// tile of that size (C2SP: floor(size / 256^L) mod 256 wide), then the entry bundles.
    public static func all(treeSize size: UInt64) -> [Tile] {
        var tiles: [Tile] = []
        var level = 0
        while level <= 63, level * height < 64, size >> UInt64(level * height) > 0 {
            tiles += row(.hashes(level: level), count: size >> UInt64(level * height))
            level += 1
        }
        return tiles + row(.entries, count: size)
    }

    private static func row(_ kind: Kind, count: UInt64) -> [Tile] {
        let full = count / UInt64(width)
        var tiles = (0..<full).map { Tile(kind: kind, index: $0) }
        if count % UInt64(width) > 0 { tiles.append(Tile(kind: kind, index: full, width: Int(count % UInt64(width)))) }
        return tiles
    }
}
