import CanonicalJSON
import Foundation
import GRDB
import TestSupport
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

/// A small ledger on disk: an operator, one party key, and `count` signed events.
struct LedgerFixture {
    let directory: String
    let path: String
    let operatorKey: PrivateKey
    let partyKey: PrivateKey
    let ledger: Ledger

    init(events count: Int = 0, origin: String = "test.trace.example/ledger", store: StoreKind = .sqlite) throws {
        directory = try Scratch.directory()
        path = directory + "/trace.db"
        operatorKey = try PrivateKey.generate()
        partyKey = try PrivateKey.generate()
        ledger = try store.createLedger(origin: origin, operatorKey: operatorKey, in: directory)
        if count > 0 { _ = try ledger.append((1...count).map { try event($0) }) }
    }

    func event(_ n: Int, note: String = "") throws -> SignedEvent {
        let event: JSONValue = [
            "id": .string("ev-\(n)\(note.isEmpty ? "" : "-" + note)"), "type": "test.harvest",
            "lot": .string("LA-ST25-\(n)"), "quantity": "1200.5", "unit": "kg",
            "note": .string(note.isEmpty ? "Hợp tác xã Tân Lập" : note),
        ]
        return try SignedEvent.sign(event, with: partyKey, keyName: "htx-tan-lap")
    }

    /// Runs raw SQL on the store with its append-only triggers dropped: what an attacker with
    /// write access to the file could do.
    func tamper(_ body: (Database) throws -> Void) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            for name in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                try db.execute(sql: "DROP TRIGGER \(name)")
            }
            try db.inTransaction {
                try body(db)
                return .commit
            }
        }
    }

    func bytes(_ seq: Int) throws -> [UInt8] {
        try ledger.store.read { try $0.entryBytes(UInt64(seq))! }
    }
}
