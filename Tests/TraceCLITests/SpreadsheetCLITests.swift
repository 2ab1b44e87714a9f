import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

/// `trace submit --csv`: a spreadsheet as a Vietnamese clerk saves it, through the real binary.
struct SpreadsheetCLITests {
    static let today: String = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "dd/MM/yyyy"
        return f.string(from: Date())
    }()

    func write(_ h: CLIHarness, _ name: String, _ text: String, bom: Bool = true) throws {
        let bytes = (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: h.directory + "/" + name))
    }

    @Test func aSpreadsheetSavedWithABOMSemicolonsAndDecimalCommasIsRecorded() throws {
        let h = try CLIHarness()
        try write(
            h, "thu-hoach.csv",
            "Mã lô;Sản phẩm;Khối lượng;Đơn vị;Thửa đất;Ngày thu hoạch;Ghi chú\r\n"
                + "LA-CSV-1;Lúa ST25;1.250,5;kg;P-001;\(Self.today);ruộng phía đông\r\n"
                + "la-csv-2;Lúa ST25;1,2;t;P-001;\(Self.today);\r\n")
        let submit = try h.run("submit", "--key", "htx-tan-lap.key", "--csv", "thu-hoach.csv")
        #expect(submit.status == 0, "\(submit.stderr)")
        #expect(submit.stdout.contains("appended 2 events"), "\(submit.stdout)")
        let first = try h.json("show", "LA-CSV-1")
        #expect(first["producedKg"]?.stringValue == "1250.5")
        #expect(try h.json("show", "LA-CSV-2")["producedKg"]?.stringValue == "1200")
    }

    @Test func englishHeadersWithCommasAndATypeColumnCarryHarvestsAndShipments() throws {
        let h = try CLIHarness()
        let day = String(Self.today.split(separator: "/").reversed().joined(separator: "-"))
        try write(
            h, "events.csv",
            "type,lot,product,quantity,unit,plot,harvested,to\n" + "harvest,LA-EN-1,Lúa ST25,900.5,kg,P-001,\(day),\n"
                + "ship,LA-EN-1,,,,,,trang-trai-bay\n", bom: false)
        let submit = try h.run("submit", "--key", "htx-tan-lap.key", "--csv", "events.csv", "--json")
        #expect(submit.status == 0, "\(submit.stderr)")
        #expect(try CanonicalJSON.parse(submit.stdout)["new"]?.intValue == 2)
    }

    @Test func everyBadCellIsNamedByRowAndColumnAndNothingIsWritten() throws {
        let h = try CLIHarness()
        let before = try Ledger(path: h.ledger).size()
        try write(
            h, "bad.csv",
            "Mã lô;Sản phẩm;Khối lượng;Đơn vị;Thửa đất;Ngày thu hoạch\r\n" + "LA-OK-1;Lúa ST25;10;kg;P-001;\(Self.today)\r\n"
                + "LA-BAD-2;Lúa ST25;mười;kg;P-001;\(Self.today)\r\n" + "LA-BAD-3;Lúa ST25;10;bao;P-001;31/02/2026x\r\n"
                + "LA-BAD-4;Lúa ST25;10;kg;P-404;\(Self.today)\r\n")
        let submit = try h.run("submit", "--key", "htx-tan-lap.key", "--csv", "bad.csv")
        #expect(submit.status == 2)
        #expect(submit.stderr.contains("row 3, column Khối lượng: \"mười\" is not a positive quantity"), "\(submit.stderr)")
        #expect(submit.stderr.contains("row 4, column Đơn vị: \"bao\""), "\(submit.stderr)")
        #expect(submit.stderr.contains("row 4, column Ngày thu hoạch:"), "\(submit.stderr)")
        #expect(submit.stderr.contains("row 5: refused:"), "\(submit.stderr)")
        #expect(submit.stderr.contains("[domain.unknown_plot]"), "\(submit.stderr)")
        #expect(submit.stderr.contains("nothing was written"), "\(submit.stderr)")
        #expect(try Ledger(path: h.ledger).size() == before)
    }

    @Test func anUnknownHeaderOrANonUTF8FileIsRefusedBeforeAnythingIsRead() throws {
        let h = try CLIHarness()
        try write(h, "odd.csv", "Mã lô;Cân nặng\r\nLA-1;10\r\n")
        let odd = try h.run("submit", "--key", "htx-tan-lap.key", "--csv", "odd.csv")
        #expect(odd.status == 2)
        #expect(odd.stderr.contains("row 1, column 2: header \"Cân nặng\""), "\(odd.stderr)")
        // "Lúa" in Windows-1258, as an old export writes it.
        try Data([0x4C, 0xFA, 0x61, 0x3B, 0x31, 0x0D, 0x0A]).write(to: URL(fileURLWithPath: h.directory + "/cp1258.csv"))
        let legacy = try h.run("submit", "--key", "htx-tan-lap.key", "--csv", "cp1258.csv")
        #expect(legacy.status == 2)
        #expect(legacy.stderr.contains("CSV UTF-8"), "\(legacy.stderr)")
    }

    @Test func theShippedTemplatesAreReadable() throws {
        let h = try CLIHarness()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for name in ["template-harvest.csv", "template-ship.csv", "template-receive.csv", "template-english.csv"] {
            let path = root.appendingPathComponent("tools/sample-data/" + name).path
            // A dry reading: the key's party is not the templates' (they name other plots and
            // parties), so the rules refuse by row, but no cell or header is unreadable.
            let run = try h.run("submit", "--key", "htx-tan-lap.key", "--csv", path)
            #expect(!run.stderr.contains("[csv."), "\(name): \(run.stderr)")
        }
    }
}
