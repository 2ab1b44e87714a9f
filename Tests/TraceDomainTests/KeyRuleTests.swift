import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger

/// The Ed25519 acceptance rule (FORMAT.md section 3.1) where keys enter the ledger: a key that no
/// accepted signature could ever match is refused when it is registered or rotated in.
struct KeyRuleTests {
    /// Small order, and y >= p (a non-canonical encoding of the point y = 2).
    static let refusedKeys: [[UInt8]] = [
        [0x01] + [UInt8](repeating: 0, count: 31),
        Array(repeating: 0, count: 32),
        [0xef] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
    ]

    @Test(arguments: refusedKeys)
    func registeringARefusedKeyIsRefusedAndWritesNothing(_ bytes: [UInt8]) throws {
        let f = try ChainFixture()
        let before = try f.size()
        let vkey = try VerifierKey(name: "nong-ho-tu", publicKey: PublicKey(bytes: bytes))
        let error = #expect(throws: DomainError.self) {
            try f.submit(
                "operator", "party.register",
                ["party": ["id": "nong-ho-tu", "roles": ["farm"], "name": "Tư", "key": .string(vkey.description)]])
        }
        #expect(error?.code == .badInput)
        #expect(error?.message.contains("party.key") == true, "\(error?.message ?? "")")
        #expect(try f.size() == before)
    }

    @Test(arguments: StoreKind.allCases) func rotatingToARefusedKeyIsRefused(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        let vkey = try VerifierKey(name: "htx-tan-lap", publicKey: PublicKey(bytes: Self.refusedKeys[0]))
        let error = #expect(throws: DomainError.self) {
            try f.submit("operator", "party.rotate", ["party": "htx-tan-lap", "key": .string(vkey.description)])
        }
        #expect(error?.code == .badInput)
        #expect(error?.message.contains("small order") == true, "\(error?.message ?? "")")
    }
}
