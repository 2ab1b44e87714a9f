import Foundation
import Synchronization

/// A token bucket per client address for writes: a burst, then a sustained rate. Reads are not
/// limited; a flood of writes is refused before its body is read.
final class WriteRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var last: Double
    }
    private let rate: Double
    private let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    init(perSecond rate: Double, burst: Int) {
        self.rate = rate
        self.burst = Double(burst)
    }

    /// Takes one token for `client`; returns nil when allowed, else the seconds until the next token.
    func take(_ client: String, now: Double = Date().timeIntervalSinceReferenceDate) -> Int? {
        buckets.withLock { buckets in
            // Forget idle clients so a scan of addresses cannot grow the table without bound.
            if buckets.count > 10_000 { buckets = buckets.filter { now - $0.value.last < burst / max(rate, 0.001) } }
            var bucket = buckets[client] ?? Bucket(tokens: burst, last: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.last) * rate)
            bucket.last = now
            defer { buckets[client] = bucket }
            guard bucket.tokens >= 1 else { return Int(((1 - bucket.tokens) / max(rate, 0.001)).rounded(.up)) }
            bucket.tokens -= 1
            return nil
        }
    }
}
