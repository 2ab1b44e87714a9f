import Foundation
import TestSupport
import Testing

/// The CLI speaks Vietnamese when the user's locale does (LANG, LC_MESSAGES, LC_ALL), through the
/// real binary: refusals from the one catalogue keyed by error codes, and our own help strings.
struct VietnameseCLITests {
    static let vi = ["LANG": "vi_VN.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""]
    static let en = ["LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""]

    func run(_ h: CLIHarness, _ environment: [String: String], _ arguments: String...) throws -> CommandResult {
        try Command.run(Command.trace, arguments, environment: environment, directory: h.directory)
    }

    @Test func aRefusalReadsInVietnameseAndNamesTheLotNotAnEventID() throws {
        let h = try CLIHarness()
        try h.appendEvents(1)
        let args = [
            "add", "--key", "htx-tan-lap.key", "--lot", "LA-ST25-1", "--product", "Lúa ST25", "--quantity", "10", "--plot",
            "P-001",
            "--harvested", "2026-07-01",
        ]
        let vi = try Command.run(Command.trace, args, environment: Self.vi, directory: h.directory)
        #expect(vi.status == 2)
        #expect(vi.stderr.hasPrefix("bị từ chối: mã lô này đã được dùng; hãy chọn mã lô khác — "), "\(vi.stderr)")
        #expect(vi.stderr.contains("LA-ST25-1"), "\(vi.stderr)")
        #expect(vi.stderr.contains("[domain.lot_exists]"), "\(vi.stderr)")
        #expect(!vi.stderr.contains("ev-"), "\(vi.stderr)")
        let en = try Command.run(Command.trace, args, environment: Self.en, directory: h.directory)
        #expect(en.status == 2)
        #expect(en.stderr.hasPrefix("refused: "), "\(en.stderr)")
        #expect(!en.stderr.contains("ev-"), "\(en.stderr)")
        // LC_MESSAGES alone is enough, as POSIX has it.
        let messages = try Command.run(
            Command.trace, args, environment: ["LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": "vi_VN.UTF-8"],
            directory: h.directory)
        #expect(messages.stderr.hasPrefix("bị từ chối:"), "\(messages.stderr)")
    }

    @Test func aSpreadsheetsBadCellsAreNamedInVietnamese() throws {
        let h = try CLIHarness()
        try Data(
            ([0xEF, 0xBB, 0xBF] as [UInt8])
                + Array("Mã lô;Khối lượng;Thửa đất;Sản phẩm;Ngày thu hoạch\r\nLA-1;mười;P-001;Lúa;2026-07-01\r\n".utf8)
        )
        .write(to: URL(fileURLWithPath: h.directory + "/a.csv"))
        let run = try run(h, Self.vi, "submit", "--key", "htx-tan-lap.key", "--csv", "a.csv")
        #expect(run.status == 2)
        #expect(run.stderr.contains("row 2, column Khối lượng: giá trị trong ô không hợp lệ — "), "\(run.stderr)")
        #expect(run.stderr.contains("không có gì được ghi"), "\(run.stderr)")
    }

    @Test func helpIsInVietnameseAndArgumentParsersOwnParseErrorsStayEnglish() throws {
        let h = try CLIHarness()
        let help = try run(h, Self.vi, "lot", "list", "--help")
        #expect(help.stdout.contains("Chỉ các lô bên này đang giữ."), "\(help.stdout)")
        // swift-argument-parser's headings are post-processed; older commands' help through the catalogue.
        #expect(help.stdout.contains("CÁCH DÙNG:"), "\(help.stdout)")
        let add = try run(h, Self.vi, "add", "--help")
        #expect(add.stdout.contains("Ghi một lần thu hoạch: một lô mới từ một thửa đất."), "\(add.stdout)")
        #expect(add.stdout.contains("Khối lượng, số thập phân như 1200.5."), "\(add.stdout)")
        #expect(add.stdout.contains("Khóa bí mật của người ký"), "\(add.stdout)")
        // Its parse errors are its own, in English.
        let missing = try run(h, Self.vi, "add", "--lot", "X")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("Missing expected argument"), "\(missing.stderr)")
        let english = try run(h, Self.en, "lot", "list", "--help")
        #expect(english.stdout.contains("Only lots this party holds now."), "\(english.stdout)")
        let list = try run(h, Self.vi, "plot", "list")
        #expect(list.stdout.contains("P-001  nông hộ trang-trai-bay  2,5 ha  lúa"), "\(list.stdout)")
    }
}
