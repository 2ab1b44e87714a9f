import COpenSSL
import CSodium

/// An Ed25519 public key: 32 bytes (RFC 8032).
public struct PublicKey: Hashable, Sendable {
    /// The raw 32-byte key.
    public let bytes: [UInt8]

    /// Wraps a raw key; throws unless it is 32 bytes.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else {
            throw CryptoError(.badLength, "an Ed25519 public key is 32 bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// Checks an Ed25519 signature over `message` under the ledger's rule (`Ed25519Rule`). A
    /// wrong-length signature is simply invalid.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        let verifier = SignatureVerifier()
        return verifier.verify(signature: signature, message: message, key: self)
    }

    /// Why the acceptance rule refuses this key, or nil when it can sign (FORMAT.md section 3).
    public var ruleProblem: String? { AcceptedKeys.shared.accepts(bytes) ? nil : Ed25519Rule.keyProblem(bytes) }

    /// Throws `crypto.refused_key` unless the acceptance rule accepts this key: for registering a
    /// key, where a key no signature could ever pass must be refused up front.
    public func checkAcceptable() throws {
        if let problem = ruleProblem { throw CryptoError(.refusedKey, problem) }
    }
}

/// Which library checks the Ed25519 equation; both apply `Ed25519Rule` first, so both give the
/// same answer for every input.
public enum Ed25519Backend: String, Sendable, CaseIterable {
    /// libsodium's `crypto_sign_verify_detached`: about twice libcrypto's rate here.
    case sodium
    /// libcrypto's EVP one-shot verify.
    case openssl
}

/// Reusable Ed25519 verification state for one thread. The key's part of the rule is judged
/// once per key; with libcrypto, one EVP_MD_CTX per key seen, each initialised once, so a run
/// over many entries by few signers allocates nothing per check.
public final class SignatureVerifier {
    /// The library that checks the equation.
    public let backend: Ed25519Backend
    private var keyVerdicts: [[UInt8]: Bool] = [:]
    private var lastVerdictKey: [UInt8] = []
    private var lastVerdict = false
    private var contexts: [[UInt8]: (context: OpaquePointer, key: OpaquePointer)] = [:]
    private var lastKey: [UInt8] = []
    private var last: (context: OpaquePointer, key: OpaquePointer)?
    private static let cacheLimit = 4096

    /// OpenSSL before 3.2 leaves an EdDSA context ready for the next message after a one-shot
    /// EVP_DigestVerify (this is how `openssl speed` measures); 3.2 and later mark it finished,
    /// so there every check initialises the context again (with the cached key).
    static let reusesContexts = OpenSSL_version_num() < 0x3020_0000

    /// Whether every check initialises its context again: true where OpenSSL needs it (3.2+),
    /// settable so the tests exercise that path on any OpenSSL.
    public var reinitialisesEachCheck = !SignatureVerifier.reusesContexts

    /// A verifier with no keys yet; libsodium unless told otherwise.
    public init(backend: Ed25519Backend = .sodium) {
        self.backend = backend
        Sodium.start()
    }

    deinit {
        for entry in contexts.values {
            EVP_MD_CTX_free(entry.context)
            EVP_PKEY_free(entry.key)
        }
    }

    /// True when `signature` is a valid Ed25519 signature of `message` under `key` by the
    /// ledger's rule (`Ed25519Rule`).
    public func verify(signature: [UInt8], message: [UInt8], key: PublicKey) -> Bool {
        guard signature.count == 64, signature.withUnsafeBufferPointer(Ed25519Rule.signatureBytesPass), accepts(key)
        else { return false }
        switch backend {
        case .sodium:
            return signature.withUnsafeBufferPointer { sig in
                message.withUnsafeBufferPointer { msg in
                    key.bytes.withUnsafeBufferPointer { pk in
                        crypto_sign_ed25519_verify_detached(sig.baseAddress!, msg.baseAddress, UInt64(msg.count), pk.baseAddress!)
                    }
                }
            } == 0
        case .openssl:
            return verifyWithOpenSSL(signature: signature, message: message, key: key)
        }
    }

    /// The rule's verdict on `key`, remembered by this verifier so the hot path takes no lock.
    private func accepts(_ key: PublicKey) -> Bool {
        if key.bytes == lastVerdictKey { return lastVerdict }
        let verdict: Bool
        if let known = keyVerdicts[key.bytes] {
            verdict = known
        } else {
            verdict = AcceptedKeys.shared.accepts(key.bytes)
            if keyVerdicts.count >= Self.cacheLimit { keyVerdicts.removeAll(keepingCapacity: true) }
            keyVerdicts[key.bytes] = verdict
        }
        lastVerdictKey = key.bytes
        lastVerdict = verdict
        return verdict
    }

    private func verifyWithOpenSSL(signature: [UInt8], message: [UInt8], key: PublicKey) -> Bool {
        guard let entry = context(for: key) else { return false }
        if reinitialisesEachCheck {
            guard EVP_DigestVerifyInit(entry.context, nil, nil, nil, entry.key) == 1 else {
                OpenSSL.clearErrors()
                return false
            }
        }
        let ok = signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                EVP_DigestVerify(entry.context, sig.baseAddress, 64, msg.baseAddress, msg.count)
            }
        }
        if ok != 1 { OpenSSL.clearErrors() }
        return ok == 1
    }

    /// The context and parsed key for `key`: one context per key, initialised once, because
    /// initialising costs an algorithm fetch and allocations, and OpenSSL 3.0 keeps the first
    /// key's state in a context re-initialised with another key.
    private func context(for key: PublicKey) -> (context: OpaquePointer, key: OpaquePointer)? {
        if key.bytes == lastKey, let last { return last }
        if let cached = contexts[key.bytes] {
            lastKey = key.bytes
            last = cached
            return cached
        }
        guard
            let pkey = key.bytes.withUnsafeBufferPointer({
                EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
            })
        else {
            OpenSSL.clearErrors()
            return nil
        }
        guard let context = EVP_MD_CTX_new() else {
            EVP_PKEY_free(pkey)
            return nil
        }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, pkey) == 1 else {
            OpenSSL.clearErrors()
            EVP_MD_CTX_free(context)
            EVP_PKEY_free(pkey)
            return nil
        }
        if contexts.count >= Self.cacheLimit {
            for entry in contexts.values {
                EVP_MD_CTX_free(entry.context)
                EVP_PKEY_free(entry.key)
            }
            contexts.removeAll(keepingCapacity: true)
        }
        let entry = (context: context, key: pkey)
        contexts[key.bytes] = entry
        lastKey = key.bytes
        last = entry
        return entry
    }
}
