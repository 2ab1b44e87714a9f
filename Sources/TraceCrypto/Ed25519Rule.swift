import CSodium
import Synchronization

/// The ledger's one Ed25519 acceptance rule (FORMAT.md section 3), the same whichever library
/// checks the equation: S < L; R a canonical encoding (y < p) of a point not of small order; A a
/// canonical encoding of a point of prime order L; then the cofactorless equation [S]B = R + [k]A.
///
/// R and S are settled by comparing bytes; A once per key, by libsodium's point validation.
public enum Ed25519Rule {
    /// Why `key` can never sign an accepted signature, or nil when it is acceptable.
    public static func keyProblem(_ key: [UInt8]) -> String? {
        guard key.count == 32 else { return "an Ed25519 public key is 32 bytes, got \(key.count)" }
        return key.withUnsafeBufferPointer { k in
            if !isCanonical(k) { return "the key is not a canonical point encoding (its y is p or more)" }
            if hasSmallOrder(k) { return "the key is a point of small order, which any signature could match" }
            Sodium.start()
            if crypto_core_ed25519_is_valid_point(k.baseAddress!) != 1 {
                return "the key is not a point of prime order on edwards25519"
            }
            return nil
        }
    }

    /// Why the R and S halves of `signature` break the rule, or nil when they pass (the equation
    /// is not checked here).
    public static func signatureProblem(_ signature: [UInt8]) -> String? {
        guard signature.count == 64 else { return "an Ed25519 signature is 64 bytes, got \(signature.count)" }
        return signature.withUnsafeBufferPointer { s in
            if !scalarIsReduced(UnsafeBufferPointer(rebasing: s[32..<64])) { return "S is not below the group order L" }
            let r = UnsafeBufferPointer(rebasing: s[0..<32])
            if !isCanonical(r) { return "R is not a canonical point encoding (its y is p or more)" }
            if hasSmallOrder(r) { return "R is a point of small order" }
            return nil
        }
    }

    /// True when R and S pass: the per-signature part of the rule, allocation-free.
    @inline(__always)
    static func signatureBytesPass(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        let r = UnsafeBufferPointer(rebasing: s[0..<32])
        return scalarIsReduced(UnsafeBufferPointer(rebasing: s[32..<64])) && isCanonical(r) && !hasSmallOrder(r)
    }

    /// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
    static let order: [UInt8] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ]

    /// S < L, comparing the little-endian numbers from the top byte down.
    static func scalarIsReduced(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 31
        while i >= 0 {
            if s[i] != order[i] { return s[i] < order[i] }
            i -= 1
        }
        return false  // S == L
    }

    /// y < p = 2^255 - 19, where y is the encoding with its top (sign of x) bit cleared.
    static func isCanonical(_ e: UnsafeBufferPointer<UInt8>) -> Bool {
        guard e[31] & 0x7f == 0x7f else { return true }
        for i in 1..<31 where e[i] != 0xff { return true }
        return e[0] < 0xed
    }

    /// The y coordinates (sign bit cleared) of the eight points of small order: y = 0 (order 4,
    /// two points), y = 1 (the identity), y = p - 1 (order 2) and two y of order 8 (two points
    /// each). With the sign bit ignored this also covers the "x = -0" encodings; the encodings
    /// with y >= p are refused as non-canonical before this.
    static let smallOrderY: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),
        [0x01] + [UInt8](repeating: 0, count: 31),
        [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    ]

    /// True when the encoding (canonical or not) names a point of small order.
    static func hasSmallOrder(_ e: UnsafeBufferPointer<UInt8>) -> Bool {
        // Most encodings differ from every entry in the first byte.
        let first = e[0]
        guard first == 0x00 || first == 0x01 || first == 0xec || first == 0x26 || first == 0xc7 else { return false }
        for y in smallOrderY where y[0] == first {
            var same = true
            for i in 1..<31 where e[i] != y[i] {
                same = false
                break
            }
            if same && e[31] & 0x7f == y[31] { return true }
        }
        return false
    }

    private static func hex(_ s: StaticString) -> [UInt8] {
        let t = Array(s.description.utf8)
        return stride(from: 0, to: t.count, by: 2).map { UInt8(String(decoding: t[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }
}

/// Keys already judged by the rule, for the whole process: the point check costs about a
/// signature check, and a ledger has few keys and many entries.
final class AcceptedKeys: Sendable {
    static let shared = AcceptedKeys()
    private static let limit = 65_536
    private let known = Mutex<[[UInt8]: Bool]>([:])

    /// Whether the rule accepts `key`, judged once per process.
    func accepts(_ key: [UInt8]) -> Bool {
        if let known = known.withLock({ $0[key] }) { return known }
        let accepted = Ed25519Rule.keyProblem(key) == nil
        known.withLock {
            if $0.count >= Self.limit { $0.removeAll(keepingCapacity: true) }
            $0[key] = accepted
        }
        return accepted
    }
}

/// libsodium's one-time start-up: `sodium_init` picks the fastest code for this CPU. A static
/// `let` runs its initialiser once, thread-safely, on first use.
enum Sodium {
    private static let started: Bool = sodium_init() >= 0

    /// Starts libsodium if it has not started yet; it cannot fail short of a broken system.
    @inline(__always)
    static func start() {
        precondition(started, "libsodium failed to initialise (sodium_init)")
    }
}
