public import CanonicalJSON
import Foundation
public import TraceCertificates
public import TraceCrypto
import TraceDomain
public import TraceLedger

extension RemoteLedger {
    /// Signs `fields` as an event of `type` by the party `key` belongs to (the server says which)
    /// and appends it: the write the CLI makes for `trace add`, `trace ship` and the rest.
    public func append(_ type: String, _ fields: [String: JSONValue], id: String? = nil, key: PrivateKey) throws
        -> AppendResult
    {
        let (party, keyName) = try signer(for: key)
        let event = SupplyChain.event(type, actor: party, id: id, fields)
        return try submit([try SignedEvent.sign(event, with: key, keyName: keyName)])[0]
    }

    /// `GET path` signed by `key` (registered under `keyName`) for a ledger of `origin`, for the
    /// answers only that party may have (a draft certificate, the full one with the farmers' names).
    public func signedJSON(_ path: String, key: PrivateKey, keyName: String, origin: String) throws -> JSONValue {
        let vkey = try VerifierKey(name: keyName, publicKey: key.publicKey)
        let headers = try SignedRequest.headers(origin: origin, method: "GET", target: path, key: key, vkey: vkey)
        return try json(path, headers: headers)
    }
}
