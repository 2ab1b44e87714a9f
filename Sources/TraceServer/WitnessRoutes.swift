import CanonicalJSON
import Hummingbird
import TraceLedger

/// `GET /v1/checkpoints/witnessed`: the newest checkpoints with the witnesses' cosignatures, so a
/// client requiring a quorum can fall back to the newest one that has it (a consistency proof
/// from `/v1/proofs/consistency` then ties it to the latest).
struct WitnessRoutes: Sendable {
    let cosigned: CosignedCheckpoints
    /// How many of the newest cosigned checkpoints are listed.
    static let listed = 32

    func add(to router: Router<ServerContext>) {
        router.get("/v1/checkpoints/witnessed") { request, _ in
            let notes = cosigned.all().suffix(Self.listed).reversed().map { JSONValue.string($0) }
            return try Answer.json(["checkpoints": .array(Array(notes))], caching: .revalidate, request: request)
        }
    }
}
