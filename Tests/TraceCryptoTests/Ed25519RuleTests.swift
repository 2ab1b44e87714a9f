import Foundation
import Testing
import TraceCrypto

/// The ledger's one Ed25519 acceptance rule (FORMAT.md section 3) against hand-built edge cases
/// and the published edge-case sets, on both backends.
struct Ed25519RuleTests {
    struct CCTVVector: Decodable {
        let number: Int, key: String, sig: String, msg: String, flags: [String]?
    }

    struct WycheproofFile: Decodable {
        struct Group: Decodable {
            struct Key: Decodable { let pk: String }
            struct Test: Decodable { let tcId: Int, msg: String, sig: String, result: String, flags: [String] }
            let publicKey: Key
            let tests: [Test]
        }
        let testGroups: [Group]
    }

    /// What the rule says for each published vector, recorded once and reviewed (see Vectors/README.md).
    struct Verdicts: Decodable {
        let cctvAccepted: [Int]
        let wycheproofAccepted: [Int]
    }

    static let cctv = (try? Vectors.load("cctv-ed25519vectors", as: [CCTVVector].self)) ?? []
    static let wycheproof: [(id: Int, key: [UInt8], msg: [UInt8], sig: [UInt8], result: String)] = {
        guard let file = try? Vectors.load("wycheproof-ed25519_test", as: WycheproofFile.self) else { return [] }
        return file.testGroups.flatMap { group in
            group.tests.map {
                (
                    id: $0.tcId, key: Vectors.hex(group.publicKey.pk), msg: Vectors.hex($0.msg), sig: Vectors.hex($0.sig),
                    result: $0.result
                )
            }
        }
    }()
    static let verdicts = try? Vectors.load("ed25519-rule-verdicts", as: Verdicts.self)

    /// The eight points of small order, in their canonical encodings (C2SP CCTV's list).
    static let smallOrderPoints = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ].map(Vectors.hex)

    /// Every encoding whose y is p or more: y = p + i for i in 0..<19, with either sign bit.
    static let nonCanonicalEncodings: [[UInt8]] = (0..<19).flatMap { i -> [[UInt8]] in
        var e = [UInt8](repeating: 0xff, count: 32)
        e[0] = 0xed + UInt8(i)
        e[31] = 0x7f
        var negative = e
        negative[31] = 0xff
        return [e, negative]
    }

    static func verify(_ backend: Ed25519Backend, key: [UInt8], msg: [UInt8], sig: [UInt8]) -> Bool {
        guard let key = try? PublicKey(bytes: key) else { return false }
        return SignatureVerifier(backend: backend).verify(signature: sig, message: msg, key: key)
    }

    @Test func publishedVectorsLoaded() {
        #expect(Self.cctv.count == 914)
        #expect(Self.wycheproof.count == 151)
        #expect(Self.verdicts != nil)
    }

    @Test(arguments: Ed25519Backend.allCases)
    func cctvVectorsGetTheRecordedVerdictOnEveryBackend(_ backend: Ed25519Backend) throws {
        let accepted = Set(try #require(Self.verdicts).cctvAccepted)
        for v in Self.cctv {
            let ok = Self.verify(backend, key: Vectors.hex(v.key), msg: Array(v.msg.utf8), sig: Vectors.hex(v.sig))
            #expect(ok == accepted.contains(v.number), "CCTV vector \(v.number) \(v.flags ?? [])")
        }
    }

    @Test func cctvVerdictsFollowFromTheFlags() throws {
        // With A of prime order and the cofactorless equation, every edge case CCTV flags is
        // refused, and only its one unflagged vector passes.
        let unflagged = Self.cctv.filter { ($0.flags ?? []).isEmpty }.map(\.number)
        #expect(try #require(Self.verdicts).cctvAccepted == unflagged)
    }

    @Test(arguments: Ed25519Backend.allCases)
    func wycheproofVectorsGetTheRecordedVerdictOnEveryBackend(_ backend: Ed25519Backend) throws {
        let accepted = Set(try #require(Self.verdicts).wycheproofAccepted)
        for v in Self.wycheproof {
            let ok = Self.verify(backend, key: v.key, msg: v.msg, sig: v.sig)
            #expect(ok == accepted.contains(v.id), "Wycheproof tcId \(v.id) (\(v.result))")
        }
    }

    @Test func wycheproofVerdictsAreWycheproofsOwn() throws {
        let valid = Self.wycheproof.filter { $0.result == "valid" }.map(\.id)
        #expect(try #require(Self.verdicts).wycheproofAccepted == valid)
    }

    @Test func smallOrderKeysAreRefusedWithAReason() throws {
        for point in Self.smallOrderPoints {
            let key = try PublicKey(bytes: point)
            #expect(throws: CryptoError.self) { try key.checkAcceptable() }
            #expect(key.ruleProblem?.contains("small order") == true, "\(point)")
        }
    }

    @Test func nonCanonicalKeysAreRefused() throws {
        for encoding in Self.nonCanonicalEncodings {
            #expect(try PublicKey(bytes: encoding).ruleProblem?.contains("canonical") == true, "\(encoding)")
        }
    }

    @Test func generatedKeysAreAcceptable() throws {
        for _ in 0..<8 {
            #expect(throws: Never.self) { try PrivateKey.generate().publicKey.checkAcceptable() }
        }
    }

    @Test(arguments: Ed25519Backend.allCases)
    func smallOrderOrNonCanonicalRIsRefused(_ backend: Ed25519Backend) throws {
        let key = try PrivateKey.generate()
        let message = Array("lot LA-ST25-0001".utf8)
        let good = try key.sign(message)
        #expect(Self.verify(backend, key: key.publicKey.bytes, msg: message, sig: good))
        for r in Self.smallOrderPoints + Self.nonCanonicalEncodings {
            let sig = r + good[32...]
            #expect(!Self.verify(backend, key: key.publicKey.bytes, msg: message, sig: sig))
            #expect(Ed25519Rule.signatureProblem(sig) != nil)
        }
    }

    @Test(arguments: Ed25519Backend.allCases)
    func sPlusLIsRefused(_ backend: Ed25519Backend) throws {
        let key = try PrivateKey.generate()
        let message = Array("harvest H-1".utf8)
        let good = try key.sign(message)
        // S + L, little-endian; S < L < 2^253, so the sum fits in 32 bytes.
        let order = Vectors.hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
        var sum = [UInt8](repeating: 0, count: 32)
        var carry = 0
        for i in 0..<32 {
            let t = Int(good[32 + i]) + Int(order[i]) + carry
            sum[i] = UInt8(t & 0xff)
            carry = t >> 8
        }
        let malleated = Array(good[0..<32]) + sum
        #expect(!Self.verify(backend, key: key.publicKey.bytes, msg: message, sig: malleated))
        #expect(Ed25519Rule.signatureProblem(malleated) == "S is not below the group order L")
        #expect(Ed25519Rule.signatureProblem(Array(good[0..<32]) + order) == "S is not below the group order L")
        #expect(Ed25519Rule.signatureProblem(good) == nil)
    }

    @Test(arguments: Ed25519Backend.allCases)
    func rfc8032VectorsPassOnEveryBackend(_ backend: Ed25519Backend) throws {
        for v in Ed25519Tests.vectors {
            #expect(Self.verify(backend, key: Vectors.hex(v.public), msg: Vectors.hex(v.message), sig: Vectors.hex(v.signature)))
        }
    }
}
