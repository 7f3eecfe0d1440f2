import Foundation
import Metrics
import MMSCore
import MMSNode
import MMSStore
import Prometheus

/// The node's metrics, recorded through swift-metrics into this node's own Prometheus registry
/// (one per node, so several nodes in one process — tests, benchmarks — never mix their figures).
/// Events are counted as they happen; store-held figures are read when /metrics is scraped.
public final class NodeMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let node: String
    private let lock = NSLock()
    private var lagGauges: [NodeID: Metrics.Gauge] = [:]
    private var lags: [NodeID: UInt64] = [:]
    private var rejectedCounters: [String: Metrics.Counter] = [:]
    private var bytesOnWire = 0

    private let opsApplied, bytesIn, bytesOut, rightsRequests, rightsPlaced, connectionsRefused, framesDeferred: Metrics.Counter
    private let ops, peersConnected: Metrics.Gauge

    init(node: NodeID) {
        self.node = node.rawValue
        let factory = PrometheusMetricsFactory(registry: registry)
        self.factory = factory
        func counter(_ label: String) -> Metrics.Counter { Metrics.Counter(label: label, dimensions: [("node", node.rawValue)], factory: factory) }
        func gauge(_ label: String) -> Metrics.Gauge { Metrics.Gauge(label: label, dimensions: [("node", node.rawValue)], factory: factory) }
        opsApplied = counter("mms_ops_applied_total")
        bytesIn = counter("mms_gossip_bytes_received_total")
        bytesOut = counter("mms_gossip_bytes_sent_total")
        rightsRequests = counter("mms_rights_requests_sent_total")
        rightsPlaced = counter("mms_rights_placed_total")
        connectionsRefused = counter("mms_connections_refused_total")
        framesDeferred = counter("mms_frames_deferred_total")
        ops = gauge("mms_ops")
        peersConnected = gauge("mms_peers_connected")
    }

    func applied(_ count: Int) { opsApplied.increment(by: count) }
    func received(bytes: Int) { bytesIn.increment(by: bytes); tally(bytes) }
    func sent(bytes: Int) { bytesOut.increment(by: bytes); tally(bytes) }
    private func tally(_ bytes: Int) { lock.lock(); bytesOnWire += bytes; lock.unlock() }
    /// Gossip bytes sent plus received so far (for benchmarks).
    public var wireBytes: Int { lock.lock(); defer { lock.unlock() }; return bytesOnWire }
    func rightsRequested(_ count: Int) { if count > 0 { rightsRequests.increment(by: count) } }
    func placed(_ count: Int) { if count > 0 { rightsPlaced.increment(by: count) } }
    func refusedConnection() { connectionsRefused.increment() }
    /// A gossip frame not sent because the link's send queue was full (the peer asks again).
    func deferredFrame() { framesDeferred.increment() }

    /// Ops this node holds that `peer` lacked at its last version vector.
    func lag(of peer: NodeID, ops: UInt64) {
        lock.lock()
        let gauge = lagGauges[peer] ?? Metrics.Gauge(label: "mms_replication_lag_ops", dimensions: [("node", node), ("peer", peer.rawValue)], factory: factory)
        lagGauges[peer] = gauge
        lags[peer] = ops
        lock.unlock()
        gauge.record(Int64(clamping: ops))
    }

    /// The last lag seen per peer.
    var lagByPeer: [NodeID: UInt64] { lock.lock(); defer { lock.unlock() }; return lags }

    /// A connection closed on an error, by kind: `tls`, `frame_too_large`, `malformed_op`,
    /// `invalid_signature`, `unknown_origin`, …
    func rejected(_ reason: String) {
        lock.lock()
        let counter = rejectedCounters[reason] ?? Metrics.Counter(label: "mms_frames_rejected_total", dimensions: [("node", node), ("reason", reason)], factory: factory)
        rejectedCounters[reason] = counter
        lock.unlock()
        counter.increment()
    }

    /// The Prometheus text exposition, after reading the store-held figures.
    func exposition(store: NodeStore, refusals: RefusalCounter, peers: PeerRegistry, clock: ChainClock.Verdict) throws -> String {
        let vector = try store.versionVector()
        ops.record(Int64(clamping: vector.totalOps))
        peersConnected.record(peers.connected.count)
        for (origin, seq) in vector.entries.sorted(by: { $0.key < $1.key }) {
            Metrics.Gauge(label: "mms_ops_from", dimensions: [("node", node), ("origin", origin.rawValue)], factory: factory).record(Int64(clamping: seq))
        }
        Metrics.Gauge(label: "mms_clock_offset_ms", dimensions: [("node", node)], factory: factory).record(clock.offsetMillis)
        Metrics.Gauge(label: "mms_clock_trusted", dimensions: [("node", node)], factory: factory).record(clock.isTrusted ? 1 : 0)
        for (kind, count) in refusals.snapshot {
            Metrics.Gauge(label: "mms_escrow_refusals", dimensions: [("node", node), ("kind", kind)], factory: factory).record(count)
        }
        return Self.withHelp(registry.emitToString())
    }

    /// What each metric means. swift-metrics' factory API carries no help text, so the exposition
    /// gets a `# HELP` line from here before each family's `# TYPE` line.
    static let help: [String: String] = [
        "mms_ops": "Ops this node's replica holds, from every origin.",
        "mms_ops_from": "Highest contiguous op seq this replica holds from each origin.",
        "mms_ops_applied_total": "Ops received from peers, verified and applied.",
        "mms_peers_connected": "Peer links open now.",
        "mms_replication_lag_ops": "Ops this node holds that the peer's last version vector lacked.",
        "mms_frames_rejected_total": "Peer connections closed for bad input, by reason.",
        "mms_escrow_refusals": "Payments refused for escrow, by kind (rights_elsewhere or balance).",
        "mms_clock_offset_ms": "The chain's median clock less this node's, in milliseconds (positive: this node's is behind).",
        "mms_clock_trusted": "1 while this node's clock is within the bound of the chain's; 0 while its tills are refused (clock_skew).",
        "mms_rights_requests_sent_total": "Requests for escrow rights sent to peers.",
        "mms_rights_placed_total": "Rights transfers made by the rebalancing policy.",
        "mms_connections_refused_total": "Peer connections refused past max_connections.",
        "mms_frames_deferred_total": "Op batches not sent because the link's send queue was full.",
        "mms_gossip_bytes_sent_total": "Bytes written to peer links (TLS included).",
        "mms_gossip_bytes_received_total": "Bytes read from peer links (TLS included).",
    ]

    static func withHelp(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("# TYPE "), let name = line.split(separator: " ").dropFirst(2).first, let help = help[String(name)] else { return String(line) }
            return "# HELP \(name) \(help)\n\(line)"
        }.joined(separator: "\n")
    }
}
