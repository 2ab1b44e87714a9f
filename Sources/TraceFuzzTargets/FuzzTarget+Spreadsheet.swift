import CanonicalJSON
import Foundation
import TraceDomain

extension FuzzTarget {
    /// A spreadsheet's CSV for `trace submit --csv`: any bytes are read or refused whole; every
    /// row read carries either problems or fields the ledger takes back unchanged.
    static let csv = FuzzTarget(name: "csv") { bytes in
        guard let sheet = try? SpreadsheetCSV(data: Data(bytes), file: "fuzz.csv") else { return }
        for row in sheet.rows where row.problems.isEmpty {
            try require(["harvest", "ship", "receive"].contains(row.type), "row \(row.number) has type \(row.type)")
            guard let lot = row.fields["lot"]?.stringValue else {
                try require(false, "row \(row.number) has no problem and no lot")
                return
            }
            try require((try? LotCode(lot)) != nil, "row \(row.number): lot \(lot) is not a lot code")
            if let quantity = row.fields["quantity"]?.stringValue {
                try require(Mass.decimal(quantity) != nil, "row \(row.number): quantity \(quantity) is not a plain decimal")
            }
            if let day = row.fields["harvested"]?.stringValue {
                try require(day.utf8.count == 10, "row \(row.number): harvested \(day) is not YYYY-MM-DD")
            }
        }
    }
}
