import CanonicalJSON
import Foundation
import Hummingbird
import TraceLedger

/// `/healthz` (the process answers) and `/readyz` (its ledger answers a read) for a supervisor or
/// a load balancer. `/readyz` also says whether this server takes writes, whether it signs
/// checkpoints (on PostgreSQL: whether it holds the signer lock), how far its entries run past
/// its latest signed checkpoint and how old that checkpoint is: a replica serves what its
/// checkpoint proves. A replica watching its primary reports its lag there too, and stays ready
/// however far behind it is (lag is not loss); only a ledger it cannot read, or a primary whose
/// signed checkpoint is another history than its entries (a fork), makes it unready.
struct HealthRoutes: Sendable {
    let host: LedgerHost
    let watch: PrimaryWatch?

    func add(to router: Router<ServerContext>) {
        router.get("/healthz") { request, _ in
            Answer.bytes(Array("ok\n".utf8), type: "text/plain; charset=utf-8", caching: .none, request: request)
        }
        router.get("/readyz") { request, _ in
            do {
                // Two histories are not lag: a replica that sees one is taken out of rotation.
                if let fork = watch?.last.fork {
                    var o: [String: JSONValue] = ["ready": false, "reason": .string(fork)]
                    if let watch { o["primary"] = Self.primary(watch) }
                    return try Answer.json(.object(o), status: .serviceUnavailable, caching: .none, request: request)
                }
                let size = try host.committedSize()
                let signed = try host.checkpointSize()
                var o: [String: JSONValue] = [
                    "ready": true, "size": .number(Double(size)), "checkpoint": .number(Double(signed)),
                    "unsigned": .number(Double(size - min(size, signed))), "writes": .bool(host.takesWrites),
                    "signer": .bool(host.signs),
                    "checkpointAgeSeconds": try host.checkpointAge().map { .number($0.rounded()) } ?? .null,
                ]
                if let watch { o["primary"] = Self.primary(watch) }
                return try Answer.json(.object(o), caching: .none, request: request)
            } catch {
                // The reason names the store, never a password (PostgresLocation's description has none).
                let reason = (error as? LedgerError)?.message ?? "the ledger cannot be read"
                return try Answer.json(
                    ["ready": false, "reason": .string(reason)], status: .serviceUnavailable, caching: .none, request: request)
            }
        }
    }

    /// What the replica last learned of its primary: `lagEntries` and `lagSeconds` stay null until
    /// the primary has answered once; `error` says why the last look failed.
    static func primary(_ watch: PrimaryWatch) -> JSONValue {
        let seen = watch.last
        return [
            "url": .string(watch.primary),
            "size": seen.primarySize.map { .number(Double($0)) } ?? .null,
            "lagEntries": seen.entries.map { .number(Double($0)) } ?? .null,
            "lagSeconds": seen.seconds.map { .number($0.rounded()) } ?? .null,
            "checkedAt": seen.checkedAt.map { .string(Timestamp.format(milliseconds: Int64($0.timeIntervalSince1970 * 1000))) }
                ?? .null,
            "error": seen.error.map { .string($0) } ?? .null,
        ]
    }
}
