import ArgumentParser
import CanonicalJSON
import Foundation
import TraceClient
import TraceCrypto
import TraceDomain
import TraceLedger

/// The records a look-up lists: from the local ledger, or from `trace serve` (`GET path`), which
/// shapes them with the same library functions.
enum Lookup {
    static func list(_ options: LedgerOptions, remotePath: String, field: String, _ local: (StatsRecords) -> [JSONValue])
        throws -> [JSONValue]
    {
        if let remote = options.remote {
            return try remote.json(remotePath)[field]?.arrayValue ?? []
        }
        let chain = try options.openChainForReading()
        return local(try chain.allRecords())
    }

    /// `?name=value&...` for the filters given.
    static func query(_ pairs: [(String, String?)]) -> String {
        let given = pairs.compactMap { name, value in value.map { "\(name)=\(RemoteLedger.segment($0))" } }
        return given.isEmpty ? "" : "?" + given.joined(separator: "&")
    }

    static func text(_ value: JSONValue?) -> String { value?.stringValue ?? "" }
}
