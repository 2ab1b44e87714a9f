import Foundation

/// The exporter most CLI and server tests need, and the short journey they give it.
extension CLIHarness {
    /// Registers the exporter `vinarice` (Công ty Gạo Việt) with a new key, `vinarice.key` in the
    /// harness's folder.
    public func addExporter() throws {
        let exporter = try run("keys", "new", "--name", "vinarice", "--out", "vinarice.key").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try runAll([["party", "add", "--id", "vinarice", "--name", "Công ty Gạo Việt", "--role", "exporter", "--vkey", exporter]])
    }

    /// The cooperative harvests `lot` (1,200 kg of Lúa ST25 on P-001) and ships it to the exporter,
    /// who receives it and, when `exported`, exports it to Hamburg with GTIN 08934567000017.
    public func harvestShipAndExport(_ lot: String = "X-1", exported: Bool = true) throws {
        try runAll([
            [
                "add", "--key", "htx-tan-lap.key", "--lot", lot, "--product", "Lúa ST25", "--quantity", "1200", "--plot",
                "P-001", "--harvested", "2026-07-01",
            ],
            ["ship", "--key", "htx-tan-lap.key", "--lot", lot, "--to", "vinarice"],
            ["receive", "--key", "vinarice.key", "--lot", lot],
        ])
        guard exported else { return }
        try runAll([
            [
                "export", "--key", "vinarice.key", "--lot", lot, "--buyer", "Hamburg Reis", "--country", "DE", "--container",
                "MSCU1234565", "--gtin", "08934567000017",
            ]
        ])
    }
}
