import CanonicalJSON
import Hummingbird
import TraceLedger

/// `/healthz` (the process answers) and `/readyz` (its ledger answers a read) for a supervisor or
/// a load balancer. `/readyz` also says whether this server takes writes, whether it signs
/// checkpoints (on PostgreSQL: whether it holds the signer lock), and how far its entries run past
/// its latest signed checkpoint: a replica serves what its checkpoint proves.
struct HealthRoutes: Sendable {
    let host: LedgerHost

    func add(to router: Router<ServerContext>) {
        router.get("/healthz") { request, _ in
            Answer.bytes(Array("ok\n".utf8), type: "text/plain; charset=utf-8", caching: .none, request: request)
        }
        router.get("/readyz") { request, _ in
            do {
                let size = try host.committedSize()
                let signed = try host.checkpointSize()
                return try Answer.json(
                    [
                        "ready": true, "size": .number(Double(size)), "checkpoint": .number(Double(signed)),
                        "unsigned": .number(Double(size - min(size, signed))), "writes": .bool(host.takesWrites),
                        "signer": .bool(host.signs),
                    ], caching: .none, request: request)
            } catch {
                // The reason names the store, never a password (PostgresLocation's description has none).
                let reason = (error as? LedgerError)?.message ?? "the ledger cannot be read"
                return try Answer.json(
                    ["ready": false, "reason": .string(reason)], status: .serviceUnavailable, caching: .none, request: request)
            }
        }
    }
}
