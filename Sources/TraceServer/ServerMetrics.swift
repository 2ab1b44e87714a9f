import Foundation
import Prometheus

/// The server's Prometheus metrics (`GET /metrics`, docs/OPERATIONS.md): one registry per
/// application, so two servers in one process (a test's primary and replica) never mix figures.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let appends: Counter
    private let ledgerSize: Gauge
    private let checkpointSize: Gauge
    private let checkpointAge: Gauge
    private let answersMade: Counter
    private let answersRebased: Counter

    /// Latency buckets from a cached page (under a millisecond) to a batch of a thousand events.
    static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10),
    ]

    init() {
        appends = registry.makeCounter(
            descriptor: Self.name("appends", unit: "total", help: "Entries appended to the ledger by this server."))
        ledgerSize = registry.makeGauge(
            descriptor: Self.name("ledger", unit: "entries", help: "Entries in the ledger as this server reads it."))
        checkpointSize = registry.makeGauge(
            descriptor: Self.name("checkpoint_size", unit: "entries", help: "The tree size of the newest signed checkpoint."))
        checkpointAge = registry.makeGauge(
            descriptor: Self.name(
                "checkpoint_age", unit: "seconds",
                help: "Seconds since the newest entry the newest signed checkpoint covers was recorded."))
        answersMade = registry.makeCounter(
            descriptor: Self.name(
                "answers_made", unit: "total",
                help: "Lot answers and pages made (a lot's story verified) because none was cached for the ledger as it is."))
        answersRebased = registry.makeCounter(
            descriptor: Self.name(
                "answers_rebased", unit: "total",
                help: "Cached lot answers brought to a newer checkpoint without being made again (nothing they show changed)."))
    }

    /// Counts an answer made afresh (a cache miss).
    func answerMade() { answersMade.increment() }

    /// Counts a cached answer rebased to a newer checkpoint.
    func answerRebased() { answersRebased.increment() }

    private static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "trace", metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts entries this server appended (duplicates resubmitted are not appends).
    func appended(_ count: Int) {
        if count > 0 { appends.increment(by: Int64(count)) }
    }

    /// Counts one refusal under its problem code (a bounded set: the codes docs/FORMAT.md lists).
    func refused(_ code: String) {
        registry.makeCounter(
            descriptor: Self.name("refusals", unit: "total", help: "Requests refused, by problem code."),
            labels: [("code", code)]
        ).increment()
    }

    /// Records one request's latency under its route pattern (never the raw path, whose lot codes
    /// and entry numbers would make a series per request).
    func observe(route: String, method: String, status: Int, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.name(
                "http_request_duration", unit: "seconds", help: "Request latency by route pattern, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))],
            buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// Sets the gauges read at scrape time: the ledger's sizes and the checkpoint's age.
    func setLedger(size: UInt64, checkpoint: UInt64, checkpointAge: Double?) {
        ledgerSize.set(to: Double(size))
        checkpointSize.set(to: Double(checkpoint))
        self.checkpointAge.set(to: checkpointAge ?? 0.0)
    }

    /// Sets the replica's lag gauges from the last look at its primary. They exist only on a
    /// replica watching its primary, so a primary never shows a lag of 0 or a primary "down".
    func setLag(_ lag: PrimaryWatch.Observation) {
        gauge("primary_up", unit: "", help: Self.primaryUpHelp).set(to: lag.error == nil ? 1 : 0)
        guard let entries = lag.entries else { return }
        gauge("replica_lag", unit: "entries", help: Self.lagEntriesHelp).set(to: Double(entries))
        gauge("replica_lag", unit: "seconds", help: Self.lagSecondsHelp).set(to: lag.seconds ?? 0.0)
    }

    private func gauge(_ metric: String, unit: String, help: String) -> Gauge {
        registry.makeGauge(descriptor: Self.name(metric, unit: unit, help: help))
    }

    private static let lagEntriesHelp =
        "Entries the primary's signed checkpoint holds beyond this replica's entries (read-only with --primary)."
    private static let lagSecondsHelp =
        "Seconds since the primary recorded the first entry this replica lacks; 0 when caught up."
    private static let primaryUpHelp =
        "1 when the primary's last signed checkpoint was fetched and checked, else 0 (read-only with --primary)."

    /// The text exposition format (version 0.0.4), as Prometheus scrapes it.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}
