public import Foundation
public import TraceCrypto
import TraceLedger

/// An HTTP request signed by a party's key, for the answers only that party may have (an
/// exporter's own certificate with its farmers' names, or a draft to sign). Three headers:
/// `Trace-Key` (the verifier key), `Trace-Time` (RFC 3339, UTC) and `Trace-Signature` (base64
/// Ed25519 over `trace.request.v1` 0x00, then `ORIGIN LF METHOD SP TARGET LF TIME`). The origin
/// (the ledger's, as its checkpoints name it) ties a signature to one ledger, so another server
/// cannot replay it here; the time bounds replay: more than five minutes from the server's clock
/// is refused.
public enum SignedRequest {
    static let context: [UInt8] = Array("trace.request.v1".utf8) + [0x00]
    /// How far a request's time may be from the server's.
    public static let maxSkew: TimeInterval = 300

    /// The signed bytes for `method` on `target` (path and query, as sent) at `time`.
    static func message(origin: String, method: String, target: String, time: String) -> [UInt8] {
        context + Array("\(origin)\n\(method.uppercased()) \(target)\n\(time)".utf8)
    }

    /// The three headers that sign this request with `key`, registered as `vkey`.
    public static func headers(
        origin: String, method: String, target: String, key: PrivateKey, vkey: VerifierKey, now: Date = Date()
    ) throws -> [String: String] {
        let time = Timestamp.format(milliseconds: Int64(now.timeIntervalSince1970 * 1000))
        let signature = try key.sign(message(origin: origin, method: method, target: target, time: time))
        return ["Trace-Key": vkey.description, "Trace-Time": time, "Trace-Signature": Data(signature).base64EncodedString()]
    }

    /// The key that signed the request, or nil when it is unsigned; throws when the signature is
    /// present but wrong, stale or malformed, naming the header.
    public static func signer(origin: String, method: String, target: String, header: (String) -> String?, now: Date = Date())
        throws(CertificateError) -> VerifierKey?
    {
        guard let keyText = header("Trace-Key") else { return nil }
        guard let key = try? VerifierKey(keyText) else {
            throw CertificateError(.badRequestSignature, "Trace-Key: not a verifier key (name+hash+base64)")
        }
        guard let time = header("Trace-Time"), let ms = Timestamp.parse(time) else {
            throw CertificateError(.badRequestSignature, "Trace-Time: an RFC 3339 time is required with Trace-Key")
        }
        guard abs(Double(ms) / 1000 - now.timeIntervalSince1970) <= maxSkew else {
            throw CertificateError(
                .badRequestSignature, "Trace-Time: \(time) is more than 5 minutes from the server's clock; sign the request again"
            )
        }
        guard let text = header("Trace-Signature"), let signature = Data(base64Encoded: text),
            key.publicKey.isValidSignature(
                [UInt8](signature), for: message(origin: origin, method: method, target: target, time: time))
        else {
            throw CertificateError(.badRequestSignature, "Trace-Signature: does not verify for this request with the key given")
        }
        return key
    }
}
