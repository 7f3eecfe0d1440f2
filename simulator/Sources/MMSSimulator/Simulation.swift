import Foundation
import MMSCore
import MMSCrypto

/// One seeded run: the chain's replicas (`SimReplica`), their anti-entropy sessions (the same
/// `SyncSession` the NIO shell runs), a simulated network and clock, the chain's workload, and the
/// faults drawn for the seed — all driven from one event queue, so a seed is one exact history.
public final class Simulation {
    enum Event {
        case deliver(link: Int, epoch: Int, toB: Bool, message: SyncMessage)
        case tick
        case dial(link: Int, attempt: Int)
        case request(Int)
        case retry(request: Int)
        case partition
        case heal(links: [Int])
        case swizzleCut(links: [Int], index: Int, restoreOrder: [Int])
        case swizzleRestore(links: [Int], index: Int)
        case crash
        case restart(node: Int)
        case clockJump
        case clockSetWrong
        case placement
        case finalHeal
        case push(node: Int)
    }

    struct Link {
        let a: Int, b: Int
        let delay: UInt64
        /// How many cuts currently hold the link down (cuts can overlap).
        var cuts = 0
        var connected = false
        var epoch = 0
        var sessionA: SyncSession?
        var sessionB: SyncSession?
        /// Per end: the sender's arrivals before this are held by the other end. It survives
        /// reconnects (the other end's log is durable) and resets when the sender restarts (its
        /// arrivals are rebuilt in another order).
        var watermarkA = 0
        var watermarkB = 0
    }

    let options: SimulationOptions
    public let faults: FaultProfile
    private var random: SimRandom
    private(set) var now: UInt64 = 0
    private var steps = 0
    private var queue = EventQueue<Event>()
    let replicas: [SimReplica]
    private var alive: [Bool]
    private var pushArmed: [Bool]
    private var skew: [Int64]
    /// Each node's view of the chain's clock, from its peers' readings (the node server keeps the same).
    private var clocks: [ChainClock]
    private var links: [Link] = []
    private var linksOf: [[Int]]
    private let keys: [NodeID: (SigningPublicKey, NodeRole)]
    private let index: [NodeID: Int]
    private var verified: Set<Digest32> = []
    /// Every op any node ever issued, folded together: the chain's true state, against which the
    /// money invariants are checked (a single replica may see a charge before the transfer it
    /// spent, and show that node's rights below zero until the transfer arrives).
    private var oracle = MemoryState()
    /// Every op id ever issued: a number issued twice means an origin lost ops it had acknowledged.
    private var issuedIDs: Set<OpID> = []
    let workload: ChainWorkload
    private var retried: Set<Int> = []
    private var trading = true
    private var faultsOn: Bool
    private let trace = Blake2b()
    private(set) var traceLines: [String]?
    var recorder: HistoryRecorder
    var tally = Tally()
    private(set) var violation: Violation?
    private let stopOnViolation: Bool
    private let effectivePolicy: PaymentPolicy
    /// With `--store sqlite`: where the nodes' SQLite stores live for the run (removed after).
    private var storeDirectory: URL?

    deinit { if let storeDirectory { try? FileManager.default.removeItem(at: storeDirectory) } }

    struct Tally {
        var ops = 0, payments = 0, paymentsAccepted = 0, refusedNoRights = 0, refusedBalance = 0, refusedOffline = 0
        var refusedNodeDown = 0, crashes = 0, partitions = 0, messages = 0, linkResets = 0
        /// Per-op checks against the chain's true state (see `SimulationResult`).
        var overdrawnMembers: Set<String> = [], negativeRights: Set<String> = [], negativePoints: Set<String> = []
        var negativeUses: Set<String> = [], overRefunds: Set<String> = []
        var couponDoubleSpends = 0, blockedCardSpends = 0, transferConservationBreaks = 0, cardReturnBreaks = 0, campaignDuplicates = 0
        var expiredPointsSpent = 0
        /// Requests a node refused because its clock was off the chain's, and requests it decided
        /// while its clock was truly more than the bound off (before it could tell).
        var refusedClockSkew = 0, decidedWithClockOff = 0
    }

    /// What the per-op checks keep, from op bodies alone (not from the deltas the replicas fold):
    /// each coupon's issues and givebacks against its spends, the ops that block each card, the
    /// campaign gifts each member was given.
    struct Ledger {
        var couponCredits: [String: Int] = [:], couponSpends: [String: Int] = [:]
        var blockers: [String: [OpID]] = [:]
        var campaignGifts: [String: Int] = [:]
    }
    private var ledger = Ledger()

    public init(_ options: SimulationOptions) throws {
        self.options = options
        var root = SimRandom(seed: options.seed)
        var workloadRandom = root.fork()
        var faultRandom = root.fork()
        random = root.fork()
        let faults = options.faults ? FaultProfile.draw(&faultRandom, options: options) : FaultProfile()
        self.faults = faults
        faultsOn = options.faults
        let n = max(2, options.nodes)
        let replicas = try (0..<n).map { i in
            let id = try NodeID(i == 0 ? "hq" : "branch-\(i)")
            var seed = [UInt8](repeating: 0, count: 32)
            for j in 0..<4 { withUnsafeBytes(of: root.next().littleEndian) { seed.replaceSubrange(j * 8..<(j + 1) * 8, with: $0) } }
            return SimReplica(id: id, role: i == 0 ? NodeRole.hq : .branch, key: try SigningKey(seed: seed))
        }
        self.replicas = replicas
        keys = Dictionary(uniqueKeysWithValues: replicas.map { ($0.id, ($0.key.publicKey, $0.role)) })
        index = Dictionary(uniqueKeysWithValues: replicas.enumerated().map { ($1.id, $0) })
        alive = Array(repeating: true, count: n)
        pushArmed = Array(repeating: false, count: n)
        skew = (0..<n).map { _ in faults.maxSkewMillis > 0 ? Int64(faultRandom.double(in: -faults.maxSkewMillis...faults.maxSkewMillis)) : 0 }
        clocks = Array(repeating: ChainClock(), count: n)
        linksOf = Array(repeating: [], count: n)
        workload = ChainWorkload(nodes: n, options: options, random: &workloadRandom)
        effectivePolicy = options.broken == .chargeWithoutRights ? .alwaysAccept : options.policy
        stopOnViolation = options.policy != .alwaysAccept || options.broken != nil
        recorder = HistoryRecorder(enabled: options.recordHistory)
        if options.recordTrace { traceLines = [] }
        if options.store == .sqlite {
            let root = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
            storeDirectory = root.appendingPathComponent("mms-sim-\(options.seed)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: storeDirectory!, withIntermediateDirectories: true)
            for replica in replicas { try replica.attachStore(path: storeDirectory!.appendingPathComponent("\(replica.id).sqlite").path, trusting: keys) }
        }
        buildLinks()
    }

    // MARK: Topology

    /// The head office links with every branch; branches link within regions of eight; each node
    /// adds one random link (the topology's `random_peers = 1`).
    private func buildLinks() {
        var pairs = Set<[Int]>()
        func add(_ x: Int, _ y: Int) {
            guard x != y, pairs.insert([min(x, y), max(x, y)]).inserted else { return }
            let delay = UInt64(random.double(in: 1...max(1, faults.maxDelayMillis)))
            links.append(Link(a: min(x, y), b: max(x, y), delay: delay))
            linksOf[x].append(links.count - 1)
            linksOf[y].append(links.count - 1)
        }
        let n = replicas.count
        for b in 1..<n { add(0, b) }
        for b in 1..<n { for c in (b + 1)..<max(b + 1, n) where (b - 1) / 8 == (c - 1) / 8 { add(b, c) } }
        if n > 2 { for x in 0..<n { add(x, random.int(0..<n)) } }
    }

    var linkCount: Int { links.count }

    // MARK: The run

    public func run(progress: ((Double) -> Void)? = nil) -> SimulationResult {
        let wallStart = DispatchTime.now().uptimeNanoseconds
        recorder.header(options, nodes: replicas.map(\.id), workload: workload)
        setUpMembers()
        for i in links.indices { queue.schedule(at: 0, .dial(link: i, attempt: 0)) }
        queue.schedule(at: options.gossipIntervalMillis / 2, .tick)
        queue.schedule(at: 2_000, .placement)
        for (i, r) in workload.requests.enumerated() { queue.schedule(at: r.at, .request(i)) }
        if faultsOn {
            // With faults guaranteed, the first partition and crash fall within the first half.
            let early = { [self] (mean: Double) -> UInt64 in
                options.guaranteePartitionsAndCrashes ? UInt64(random.int(60_000..<max(60_001, Int(options.durationMillis / 2)))) : wait(mean)
            }
            if faults.partitionEverySeconds > 0 { queue.schedule(at: early(faults.partitionEverySeconds), .partition) }
            if faults.crashEverySeconds > 0 { queue.schedule(at: early(faults.crashEverySeconds), .crash) }
            if faults.clockJumpPerMinute > 0 { queue.schedule(at: wait(60 / faults.clockJumpPerMinute), .clockJump) }
            if faults.wrongClockMillis > 0 { queue.schedule(at: UInt64(random.int(60_000..<max(60_001, Int(options.durationMillis / 2)))), .clockSetWrong) }
        }
        queue.schedule(at: options.durationMillis, .finalHeal)
        var lastProgress = 0.0
        var healedAt: UInt64?
        var converged = false
        var rounds = 0
        var stopped = false
        while let (at, event) = queue.pop() {
            now = at
            steps += 1
            handle(event)
            if violation != nil, stopOnViolation { stopped = true; break }
            if case .finalHeal = event { healedAt = now }
            if let healedAt, case .tick = event, now >= healedAt + UInt64(rounds + 1) * options.gossipIntervalMillis {
                rounds += 1
                if isConverged() { converged = true; break }
                if rounds >= options.convergenceBoundRounds { break }
            }
            if let progress, Double(now) / Double(options.durationMillis) >= lastProgress + 0.01 {
                lastProgress = Double(now) / Double(options.durationMillis)
                progress(min(1, lastProgress))
            }
        }
        // A run stopped at a violation never reaches the checks after the heal (they stay null);
        // one that goes on past violations (always-accept) is checked like any other.
        var result = finish(converged: converged, rounds: rounds, healed: healedAt != nil && !stopped)
        // The run's wall time includes its checks after the heal (state hashes and all).
        let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart) / 1e9
        result.wallSeconds = wall; result.wallSecondsWithTwin = wall
        result.speedup = wall > 0 ? result.simulatedSeconds / wall : 0; result.speedupWithTwin = result.speedup
        return result
    }

    private func wait(_ meanSeconds: Double) -> UInt64 { now + UInt64(random.exponential(mean: meanSeconds * 1_000)) + 1 }
    /// A node's wall clock: the calendar at simulated time 0, plus simulated time, plus its skew.
    private func clock(_ node: Int) -> UInt64 { UInt64(max(1, Int64(options.calendarStartMillis) + Int64(now) + skew[node])) }

    /// The chain's members and cards exist before the run starts, held by every replica (a chain
    /// in steady state, not one replicating its whole membership on the first round).
    private func setUpMembers() {
        let before = replicas.map(\.arrivals.count)
        defer {
            let setup = replicas.indices.flatMap { replicas[$0].arrivals[before[$0]...] }
            for replica in replicas { _ = try! replica.applyRemote(setup, now: 0, keys: keys, verified: &verified) }
        }
        for (i, m) in workload.members.enumerated() {
            let home = replicas[m.home]
            let member = workload.memberID(i)
            issue(at: m.home, .memberAdded(MemberAdded(member: member, sealedName: [1], sealedPhone: [2], sealedBirthday: [3], phoneIndex: Array(Blake2b.hash(Array(member.utf8)).bytes.prefix(16)))))
            issue(at: m.home, try! home.teller(now: clock(m.home)).issueCard(number: m.card, member: member, type: .stored, pinHash: "", discountPercent: nil, punchUses: nil))
            if let punch = m.punchCard {
                issue(at: m.home, try! home.teller(now: clock(m.home)).issueCard(number: punch, member: member, type: .punch, pinHash: "", discountPercent: nil, punchUses: 10))
            }
        }
    }

    private func handle(_ event: Event) {
        switch event {
        case .deliver(let l, let epoch, let toB, let message):
            guard links[l].epoch == epoch, links[l].connected else { return }
            note(1, l, toB ? 1 : 0)
            tally.messages += 1
            let node = toB ? links[l].b : links[l].a
            sessionEvent(l, atB: toB, .received(message, now: clock(node)))
        case .tick:
            for l in links.indices where links[l].connected {
                sessionEvent(l, atB: false, .tick(now: clock(links[l].a)))
                sessionEvent(l, atB: true, .tick(now: clock(links[l].b)))
            }
            queue.schedule(at: now + options.gossipIntervalMillis / 2, .tick)
        case .dial(let l, let attempt):
            dial(l, attempt: attempt)
        case .request(let i):
            note(2, i, 0)
            perform(i, retry: false)
        case .retry(let i):
            note(3, i, 0)
            perform(i, retry: true)
        case .partition:
            // A fault drawn before the final heal but due after it never happens: the liveness
            // phase runs on a healed, quiet network.
            guard faultsOn else { return }
            startPartition()
            if faultsOn { queue.schedule(at: wait(faults.partitionEverySeconds), .partition) }
        case .heal(let cut):
            note(4, cut.count, 0)
            for l in cut { links[l].cuts = max(0, links[l].cuts - 1) }
        case .swizzleCut(let cut, let index, let order):
            guard faultsOn else { return }
            cutLinks([cut[index]])
            if index + 1 < cut.count {
                queue.schedule(at: now + UInt64(random.int(200..<2_000)), .swizzleCut(links: cut, index: index + 1, restoreOrder: order))
            } else {
                queue.schedule(at: now + UInt64(random.int(5_000..<120_000)), .swizzleRestore(links: order, index: 0))
            }
        case .swizzleRestore(let order, let index):
            links[order[index]].cuts = max(0, links[order[index]].cuts - 1)
            if index + 1 < order.count { queue.schedule(at: now + UInt64(random.int(200..<2_000)), .swizzleRestore(links: order, index: index + 1)) }
        case .crash:
            guard faultsOn else { return }
            crashRandomNode()
            if faultsOn { queue.schedule(at: wait(faults.crashEverySeconds), .crash) }
        case .restart(let node):
            restart(node)
        case .clockJump:
            guard faultsOn else { return }
            let node = random.int(0..<replicas.count)
            skew[node] += Int64(random.double(in: -60_000...60_000))
            note(5, node, Int(skew[node]))
            if faultsOn { queue.schedule(at: wait(60 / faults.clockJumpPerMinute), .clockJump) }
        case .clockSetWrong:
            guard faultsOn else { return }
            let node = random.int(1..<replicas.count)
            skew[node] += Int64(faults.wrongClockMillis) * (random.chance(0.5) ? 1 : -1)
            note(12, node, Int(skew[node]))
        case .placement:
            guard trading else { return }
            for node in replicas.indices where alive[node] { place(node) }
            queue.schedule(at: now + 2_000, .placement)
        case .push(let node):
            pushArmed[node] = false
            guard alive[node] else { return }
            for l in linksOf[node] where links[l].connected {
                sessionEvent(l, atB: links[l].b == node, .changed(now: clock(node)))
            }
        case .finalHeal:
            note(6, 0, 0)
            trading = false
            faultsOn = false
            for l in links.indices { links[l].cuts = 0 }
            for node in replicas.indices where !alive[node] { restart(node) }
            skew = skew.map { _ in 0 }
        }
    }

    // MARK: Links and sessions

    private func dial(_ l: Int, attempt: Int) {
        let link = links[l]
        guard !link.connected else { return }
        guard link.cuts == 0, alive[link.a], alive[link.b] else {
            // As the real node: 0.25 s doubling up to 10 s, with up to 50 % jitter.
            let base = UInt64(min(10_000, 250 << min(attempt, 6)))
            queue.schedule(at: now + base / 2 + UInt64(random.int(0..<Int(base / 2 + 1))), .dial(link: l, attempt: attempt + 1))
            return
        }
        note(7, l, 0)
        links[l].connected = true
        links[l].epoch += 1
        var configuration = SyncSession.Configuration(chain: "sim", local: replicas[link.a].id, peer: replicas[link.b].id)
        configuration.gossipIntervalMillis = options.gossipIntervalMillis
        configuration.heartbeatMillis = options.gossipIntervalMillis * 2
        links[l].sessionA = SyncSession(configuration)
        (configuration.local, configuration.peer) = (replicas[link.b].id, replicas[link.a].id)
        links[l].sessionB = SyncSession(configuration)
        sessionEvent(l, atB: false, .connected(now: clock(link.a)))
        sessionEvent(l, atB: true, .connected(now: clock(link.b)))
    }

    /// The connection is gone (cut, crash, a lost message): both sessions end, messages in flight
    /// with it, and the link is dialled again.
    private func reset(_ l: Int) {
        guard links[l].connected else { return }
        note(8, l, 0)
        tally.linkResets += 1
        links[l].connected = false
        links[l].epoch += 1
        links[l].sessionA = nil
        links[l].sessionB = nil
        queue.schedule(at: now + 250, .dial(link: l, attempt: 0))
    }

    private func cutLinks(_ cut: [Int]) {
        for l in cut {
            links[l].cuts += 1
            reset(l)
        }
    }

    private func sessionEvent(_ l: Int, atB: Bool, _ event: SyncSession.Event) {
        guard links[l].connected else { return }
        let effects: [SyncSession.Effect]
        if atB { effects = links[l].sessionB?.handle(event) ?? [] } else { effects = links[l].sessionA?.handle(event) ?? [] }
        for effect in effects { execute(effect, link: l, atB: atB) }
    }

    private func send(_ message: SyncMessage, link l: Int, fromB: Bool) {
        guard links[l].connected else { return }
        var message = message
        switch message {
        case .hello, .vector:
            let node = fromB ? links[l].b : links[l].a
            message = message.stamped(clocks[node].reading(wall: clock(node), mono: now))
        default: break
        }
        if faultsOn, random.chance(faults.lossRate) { return reset(l) }
        var delay = links[l].delay
        if faultsOn, random.chance(faults.reorderRate) { delay += UInt64(random.int(1..<Int(4 * links[l].delay + 2))) }
        queue.schedule(at: now + delay, .deliver(link: l, epoch: links[l].epoch, toB: !fromB, message: message))
        if faultsOn, random.chance(faults.duplicateRate) {
            queue.schedule(at: now + delay + UInt64(random.int(0..<Int(links[l].delay + 2))), .deliver(link: l, epoch: links[l].epoch, toB: !fromB, message: message))
        }
    }

    private func execute(_ effect: SyncSession.Effect, link l: Int, atB: Bool) {
        let node = atB ? links[l].b : links[l].a, peer = atB ? links[l].a : links[l].b
        let replica = replicas[node]
        switch effect {
        case .send(let message):
            send(message, link: l, fromB: atB)
        case .sendVector:
            send(.vector(replica.vector), link: l, fromB: atB)
        case .sendMissing(let after):
            let batch = atB ? replica.ops(after: after, watermark: &links[l].watermarkB, limit: 512)
                            : replica.ops(after: after, watermark: &links[l].watermarkA, limit: 512)
            if !batch.isEmpty { send(.ops(batch, more: batch.count == 512), link: l, fromB: atB) }
            sessionEvent(l, atB: atB, .sentMissing(batch))
        case .apply(let ops, _):
            do {
                let stored = try replica.applyRemote(ops, now: clock(node), keys: keys, verified: &verified)
                if let failure = replica.storeError { record(.init(invariant: "store_failure", detail: "\(replica.id)'s SQLite store: \(failure)")) }
                if stored > 0, PushPolicy.forwardsAppliedOps(role: replica.role) { changed(node) }
                sessionEvent(l, atB: atB, .applied(now: clock(node)))
            } catch let error as MMSError where error.code == .fork || error.code == .brokenChain {
                // Two different ops under one number: an origin lost ops it had acknowledged and reused their numbers.
                record(.init(invariant: "fork", detail: "\(replica.id) got a second, different op from \(replicas[peer].id): \(error.message)"))
                reset(l)
            } catch {
                record(.init(invariant: "replication_refused", detail: "\(replica.id) refused ops from \(replicas[peer].id): \(error)"))
                reset(l)
            }
        case .grantRights(let account, let amount, let to, let relayable):
            grant(node, account: account, amount: amount, to: to, relayable: relayable, link: l, atB: atB)
        case .heardClock(let reading):
            clocks[node].heard(reading, from: replicas[peer].id, wall: clock(node), mono: now)
        case .servePhoto, .keepPhoto:
            // The simulated workload takes no photos: their images travel beside the log, not in it.
            break
        case .close:
            reset(l)
        }
    }

    /// Pushes a node's change to every linked peer. The real node pushes on each commit (one push
    /// in flight per link, so a burst coalesces); here the first change arms one push 50 ms later
    /// and whatever else changes meanwhile goes with it — fewer events for the same effect, at
    /// the price of up to 50 ms of modelled latency.
    private func changed(_ node: Int) {
        guard !pushArmed[node] else { return }
        pushArmed[node] = true
        queue.schedule(at: now + 50, .push(node: node))
    }

    // MARK: Escrow rights

    private func linkedSession(_ node: Int, to other: Int) -> Int? {
        linksOf[node].first { l in links[l].connected && (links[l].a == other || links[l].b == other) }
    }

    /// Asks as `RightsOnDemand.plan` says, over this simulation's links (the node server runs the same plan).
    private func requestRights(_ node: Int, account: String, amount: Int64, for beneficiary: NodeID? = nil) {
        let me = replicas[node]
        guard let escrow = try? me.state.escrow(account) else { return }
        let plan = RightsOnDemand.plan(account: escrow, amount: amount, me: me.id, role: me.role, beneficiary: beneficiary,
                                       headOffices: [replicas[0].id]) { other in index[other].flatMap { linkedSession(node, to: $0) } != nil }
        for request in plan {
            guard let other = index[request.to], let l = linkedSession(node, to: other) else { continue }
            send(.rightsRequest(account: account, amount: request.amount, for: request.beneficiary), link: l, fromB: links[l].b == node)
        }
    }

    /// Answers as `RightsOnDemand.answer` says (the node server decides the same way).
    private func grant(_ node: Int, account: String, amount: Int64, to: NodeID, relayable: Bool, link l: Int, atB: Bool) {
        let me = replicas[node]
        let held = (try? me.state.escrow(account).rights(at: me.id)) ?? 0
        let decision = RightsOnDemand.answer(requested: amount, held: held, role: me.role, relayable: relayable)
        if decision.grant > 0, let body = try? me.teller(now: clock(node)).transferRights(account: account, to: to, amount: decision.grant) {
            send(.ops([issue(at: node, body)], more: false), link: l, fromB: atB)
        }
        if decision.relay > 0 { requestRights(node, account: account, amount: decision.relay, for: to) }
    }

    private func place(_ node: Int) {
        let policy = PlacementPolicy(reserve: replicas[0].id)
        for member in replicas[node].takeTouchedMembers() {
            for _ in 0..<RightsPlacement.maxTransfersPerPass(policy) {
                guard let body = try? replicas[node].teller(now: clock(node)).placementTransfers(member: member, policy: policy).first else { break }
                issue(at: node, body)
            }
        }
    }

    // MARK: Ops and checks

    @discardableResult
    private func issue(at node: Int, _ body: OpBody) -> SignedOp {
        // What the deciding replica held when it decided (before its own op).
        let seen = replicas[node].vector
        checkBlockedCard(body, seen: seen, node: node)
        let moved = conservedAccounts(body)
        let before = moved.map { (try? oracle.escrow($0).total) ?? 0 }.reduce(0, +)
        let op = replicas[node].issue(body, now: clock(node))
        if let failure = replicas[node].storeError { record(.init(invariant: "store_failure", detail: "\(replicas[node].id)'s SQLite store: \(failure)")) }
        tally.ops += 1
        trace.update(op.hash.bytes)
        traceLines?.append("\(now) issue \(op.id) \(op.op.body.kind)")
        if !issuedIDs.insert(op.id).inserted {
            record(.init(invariant: "fork", detail: "\(replicas[node].id) issued a second op numbered \(op.id): it lost ops it had acknowledged"))
        }
        checkCouponsAndCampaigns(op)
        checkPointsLots(op.op)
        if case .cardReturned(let r) = body, r.refunded.fen > before {
            tally.cardReturnBreaks += 1
            record(.init(invariant: "card_return_break", detail: "\(op.id) refunded \(r.refunded) of a true balance of \(Money(fen: before))"))
        }
        oracle.apply(op.op.deltas)
        if case .balanceTransferred(let t) = body { checkTransfer(op, t, before: before, after: moved.map { (try? oracle.escrow($0).total) ?? 0 }.reduce(0, +)) }
        check(op.op)
        recorder.issued(now, op, seen: seen)
        changed(node)
        return op
    }

    /// Every escrow account the op touched, in the chain's true state: no member's stored value,
    /// points or uses, no charge's refundable amount and no node's rights below zero. Each is
    /// counted once per account (rights: per account and node).
    private func check(_ op: Op) {
        for case .add(let account, let name, _, _) in op.deltas where name == Cell.debited || name == Cell.movedOut {
            let escrow = try! oracle.escrow(account)
            if escrow.total < 0 {
                let kind = Self.accountCheck(account)
                if let kind {
                    tally[keyPath: kind.set].insert(account)
                    record(.init(invariant: kind.invariant, detail: "\(account) total \(escrow.total) after \(op.id)"))
                }
            }
            for holder in escrow.nodes where escrow.rights(at: holder) < 0 {
                tally.negativeRights.insert("\(account)@\(holder)")
                record(.init(invariant: "negative_rights", detail: "\(account) rights at \(holder) = \(escrow.rights(at: holder)) after \(op.id)"))
            }
        }
    }

    /// Which count an account below zero goes to, by its prefix. Coupons are judged from the op
    /// bodies instead (`coupon_double_spend`).
    private static func accountCheck(_ account: String) -> (invariant: String, set: WritableKeyPath<Tally, Set<String>>)? {
        if account.hasPrefix(Cell.storedValue(member: "")) { return ("overdraft", \.overdrawnMembers) }
        if PointsLots.isPointsAccount(account) { return ("negative_points", \.negativePoints) }
        if account.hasPrefix("punch:") { return ("negative_uses", \.negativeUses) }
        if account.hasPrefix("refund:") { return ("over_refund", \.overRefunds) }
        return nil
    }

    /// Points are spent only from lots still valid on the spend's own day (a return taking back
    /// what a sale earned is no spend): judged from the op's deltas and the program in force.
    private func checkPointsLots(_ op: Op) {
        switch op.body {
        case .pointsRedeemed, .sale, .pointsTransferred: break
        default: return
        }
        guard let expiry = try? PointsLots.expiry(in: oracle) else { return }
        let day = CardLife.dayNumber(Sales.day(wallMillis: op.hlc.wallMillis))
        for case .add(let account, Cell.debited, _, let points) in op.deltas where PointsLots.isPointsAccount(account) {
            guard let year = PointsLots.year(ofAccount: account), let last = PointsLots.lastDay(ofLot: year, expiry), day > last else { continue }
            tally.expiredPointsSpent += 1
            record(.init(invariant: "expired_points_spent", detail: "\(op.id) (\(op.body.kind)) spent \(points) points of lot \(year), which stopped paying after \(CardLife.dayText(last))"))
        }
    }

    /// The cards an op spends from or pays into (a card that stopped must do neither).
    private static func spentCards(_ body: OpBody) -> [String] {
        switch body {
        case .charge(let c): [c.card]
        case .sale(let s) where !s.card.isEmpty: [s.card]
        case .pointsRedeemed(let p): [p.card]
        case .punchUsed(let p): [p.card]
        case .balanceTransferred(let t): [t.fromCard, t.toCard]
        case .cardReturned(let r): [r.card]
        default: []
        }
    }

    /// A spend decided by a node whose vector already covered the card's report, return or
    /// replacement: it knew the card had stopped, and spent it anyway.
    private func checkBlockedCard(_ body: OpBody, seen: VersionVector, node: Int) {
        for card in Self.spentCards(body) {
            guard let blocker = ledger.blockers[card]?.first(where: { seen[$0.origin] >= $0.seq }) else { continue }
            tally.blockedCardSpends += 1
            record(.init(invariant: "blocked_card_spend", detail: "\(replicas[node].id) spent card \(card) (\(body.kind)) after holding \(blocker), which stopped it"))
        }
    }

    /// The stored-value accounts a balance transfer or a card return moves money in: all its
    /// deltas touch, and both members named.
    private func conservedAccounts(_ body: OpBody) -> [String] {
        switch body {
        case .balanceTransferred(let t): Array(Set([Cell.storedValue(member: t.fromMember), Cell.storedValue(member: t.toMember)])).sorted()
        case .cardReturned(let r): [Cell.storedValue(member: r.member)]
        default: []
        }
    }

    /// A transfer debits what it credits, names two members, and leaves the chain's money as it was.
    private func checkTransfer(_ op: SignedOp, _ t: BalanceTransfer, before: Int64, after: Int64) {
        var debited: Int64 = 0, credited: Int64 = 0
        for case .add(let account, let name, _, let amount) in op.op.deltas where account.hasPrefix(Cell.storedValue(member: "")) {
            if name == Cell.debited { debited += amount } else if name == Cell.credited { credited += amount }
        }
        let net = op.op.body.storedValueChanges.map(\.fen).reduce(0, +)
        guard debited != t.amount.fen || credited != t.amount.fen || net != 0 || before != after || t.fromMember == t.toMember else { return }
        tally.transferConservationBreaks += 1
        record(.init(invariant: "transfer_conservation", detail: "\(op.id): debit \(Money(fen: debited)), credit \(Money(fen: credited)), chain money \(Money(fen: before)) → \(Money(fen: after))"))
    }

    /// Coupons: spent no more often than issued and given back. Campaigns: one gift per member.
    /// Cards: which ops stop them.
    private func checkCouponsAndCampaigns(_ op: SignedOp) {
        var spent: [String] = []
        switch op.op.body {
        case .couponIssued(let c):
            ledger.couponCredits[c.code, default: 0] += 1
            if !c.campaign.isEmpty { gift(c.campaign, c.member, op) }
        case .pointsAwarded(let member, _, let campaign, _): gift(campaign, member, op)
        case .couponRedeemed(let code, _): spent = [code]
        case .sale(let s): spent = s.tenders.filter { $0.kind == .coupon }.map(\.reference)
        case .saleReturned(let r):
            for refund in r.refunds where refund.kind == .coupon && refund.units > 0 { ledger.couponCredits[refund.reference, default: 0] += 1 }
        case .cardReported(let card, _): ledger.blockers[card, default: []].append(op.id)
        case .cardReturned(let r): ledger.blockers[r.card, default: []].append(op.id)
        case .cardIssued(let c) where !c.replaces.isEmpty: ledger.blockers[c.replaces, default: []].append(op.id)
        default: break
        }
        for code in spent {
            ledger.couponSpends[code, default: 0] += 1
            if ledger.couponSpends[code]! > ledger.couponCredits[code, default: 0] {
                tally.couponDoubleSpends += 1
                record(.init(invariant: "coupon_double_spend", detail: "coupon \(code) spent \(ledger.couponSpends[code]!) time(s) by \(op.id), issued or given back \(ledger.couponCredits[code, default: 0])"))
            }
        }
    }

    private func gift(_ campaign: String, _ member: String, _ op: SignedOp) {
        let key = campaign + "|" + member
        ledger.campaignGifts[key, default: 0] += 1
        guard ledger.campaignGifts[key]! > 1 else { return }
        tally.campaignDuplicates += 1
        record(.init(invariant: "campaign_duplicate", detail: "\(member) given campaign \(campaign)'s gift again by \(op.id)"))
    }

    func record(_ v: Violation) {
        guard violation == nil else { return }
        var v = v
        v.step = steps
        v.atMillis = now
        violation = v
        traceLines?.append("\(now) VIOLATION \(v.invariant): \(v.detail)")
    }

    func traceDigest() -> [UInt8] { trace.finalize() }

    /// How `--trace` names the events it writes, with their two numbers.
    static let eventNames: [Int: String] = [
        1: "deliver link/to_b", 2: "request index/-", 3: "retry index/-", 4: "heal links/-", 5: "clock_jump node/skew_ms",
        6: "final_heal -/-", 7: "link_up link/-", 8: "link_reset link/-", 9: "partition kind/-", 10: "crash node/-", 11: "restart node/-",
        12: "clock_set_wrong node/skew_ms",
    ]

    private func note(_ kind: UInt8, _ a: Int, _ b: Int) {
        var bytes: [UInt8] = [kind]
        withUnsafeBytes(of: now.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: Int64(a).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: Int64(b).littleEndian) { bytes += $0 }
        trace.update(bytes)
        if traceLines != nil { traceLines!.append("\(now) \(Self.eventNames[Int(kind)] ?? "event \(kind)") \(a) \(b)") }
    }

    // MARK: Faults

    private func startPartition() {
        tally.partitions += 1
        let n = replicas.count
        var cut: [Int] = []
        let kind = random.int(0..<6)
        note(9, kind, 0)
        switch kind {
        case 0: // random cuts
            cut = links.indices.filter { _ in random.chance(0.3) }
        case 1: // a region split from the rest
            let region = random.int(0..<max(1, (n - 2) / 8 + 1))
            cut = links.indices.filter { l in
                let inA = links[l].a > 0 && (links[l].a - 1) / 8 == region, inB = links[l].b > 0 && (links[l].b - 1) / 8 == region
                return inA != inB
            }
        case 2: // the head office isolated
            cut = linksOf[0]
        case 3: // one branch alone, for a long time (a simulated day, capped by the run)
            let b = random.int(1..<n)
            cut = linksOf[b]
            cutLinks(cut)
            queue.schedule(at: min(options.durationMillis, now + 24 * 3_600_000), .heal(links: cut))
            return
        case 4: // a flapping link
            let l = random.int(0..<links.count)
            var t = now
            for _ in 0..<random.int(2..<10) {
                t += UInt64(random.int(1_000..<15_000))
                queue.schedule(at: t, .swizzleCut(links: [l], index: 0, restoreOrder: [l]))
            }
            return
        default: // swizzle-clog: stop a random subset one by one, restore in random order
            let subset = links.indices.filter { _ in random.chance(0.25) }
            guard !subset.isEmpty else { return }
            queue.schedule(at: now, .swizzleCut(links: subset, index: 0, restoreOrder: subset.shuffled(using: &random)))
            return
        }
        cutLinks(cut)
        queue.schedule(at: now + UInt64(random.exponential(mean: 300_000)) + 1_000, .heal(links: cut))
    }

    private func crashRandomNode() {
        let node = random.int(0..<replicas.count)
        guard alive[node] else { return }
        note(10, node, 0)
        tally.crashes += 1
        alive[node] = false
        for l in linksOf[node] { reset(l) }
        queue.schedule(at: now + UInt64(random.int(5_000..<300_000)), .restart(node: node))
    }

    private func restart(_ node: Int) {
        guard !alive[node] else { return }
        note(11, node, 0)
        for l in linksOf[node] { if links[l].a == node { links[l].watermarkA = 0 } else { links[l].watermarkB = 0 } }
        do { try replicas[node].restart(losingOwnOps: options.broken == .dropOpsOnCrash ? 3 : 0) } catch {
            record(.init(invariant: "store_reopen", detail: "\(replicas[node].id) could not reopen its store: \(error)"))
        }
        alive[node] = true
        // A restarted process has heard no peer yet.
        clocks[node] = ChainClock()
    }

    // MARK: The tills

    private func perform(_ index: Int, retry: Bool) {
        guard trading else { return }
        let request = workload.requests[index]
        let member = workload.members[request.member], memberID = workload.memberID(request.member)
        let node = request.node, replica = replicas[node]
        let kind = request.kind
        if case .charge = kind, !retry { tally.payments += 1 }
        guard alive[node] else {
            if case .charge = kind { tally.refusedNodeDown += 1 }
            return recorder.request(now, node: replica.id, card: member.card, kind: kind, ack: nil, reason: "node_down")
        }
        if case .runCampaign(let id) = kind { return runCampaign(id, node: node) }
        // A node whose clock the chain disagrees with refuses its tills (`ChainClock`), as the node server does.
        if let skewed = MMSError.clockSkew(clocks[node].verdict(wall: clock(node), mono: now)) {
            tally.refusedClockSkew += 1
            return recorder.request(now, node: replica.id, card: member.card, kind: kind, ack: nil, reason: skewed.code.rawValue)
        }
        if abs(skew[node]) > ChainClock.maxSkewMillis { tally.decidedWithClockOff += 1 }
        do {
            // The teller (and its view of the state) is gone before the op is issued: holding it
            // would make the state copy itself on write.
            guard let body = try decide(kind, node: node, member: member, memberID: memberID) else { return }
            let op = issue(at: node, body)
            if case .charge = kind { tally.paymentsAccepted += 1 }
            recorder.request(now, node: replica.id, card: member.card, kind: kind, ack: op, reason: nil)
        } catch let refusal as MMSError {
            // Short of rights that exist elsewhere: ask, and try once more when the grant can have come.
            if !retry, let account = rightsAccount(refusal, kind, node: node, member: member, memberID: memberID),
               let needed = refusal.details["requested"].flatMap({ account.hasPrefix(Cell.storedValue(member: "")) ? Money(parsing: $0)?.fen : Int64($0) }),
               let here = try? replica.state.escrow(account).rights(at: replica.id),
               let shortfall = RightsOnDemand.shortfall(after: refusal, amount: needed, rightsHere: here) {
                requestRights(node, account: account, amount: shortfall)
                queue.schedule(at: now + RightsOnDemand.waitMillis, .retry(request: index))
                return
            }
            if case .charge = kind {
                if refusal.isShortOfRightsOnly { tally.refusedNoRights += 1 }
                else if refusal.code == .insufficientFunds { tally.refusedBalance += 1 }
            }
            recorder.request(now, node: replica.id, card: member.card, kind: kind, ack: nil, reason: refusal.code.rawValue)
        } catch {
            recorder.request(now, node: replica.id, card: member.card, kind: kind, ack: nil, reason: "\(error)")
        }
    }

    /// The account whose rights a refusal was short of, by the refusal's code and the request.
    private func rightsAccount(_ refusal: MMSError, _ kind: ChainWorkload.Kind, node: Int, member: ChainWorkload.Member, memberID: String) -> String? {
        switch refusal.code {
        case .insufficientFunds: return Cell.storedValue(member: memberID)
        // The oldest valid lot whose rights sit elsewhere, as the refusal names it.
        case .insufficientPoints: return refusal.details["account"]
        case .noUsesLeft: return member.punchCard.map { "punch:\($0)" }
        case .couponUsed:
            switch kind {
            case .redeemCoupon(let code): return Cell.coupon(code)
            case .useMemberCoupon: return memberCoupon(node, memberID).map(Cell.coupon)
            default: return nil
            }
        default: return nil
        }
    }

    /// The member's first coupon this node knows that is not used up (the cashier scans it).
    private func memberCoupon(_ node: Int, _ memberID: String) -> String? {
        ((try? replicas[node].state.coupons(of: memberID)) ?? []).first { $0.left > 0 }?.code
    }

    /// 营销活动 at one node: every member (the sim's campaigns have an empty segment) gets the
    /// gift by the core's rule, which refuses a member who had it (and a branch running it).
    private func runCampaign(_ id: String, node: Int) {
        var given = 0, refused: [String: Int] = [:]
        for i in workload.members.indices {
            do {
                guard let campaign = try replicas[node].state.program().program.campaign(id) else { refused["no_campaign", default: 0] += 1; break }
                issue(at: node, try replicas[node].teller(now: clock(node)).campaignGift(campaign, member: workload.memberID(i)))
                given += 1
            } catch let refusal as MMSError {
                refused[refusal.code.rawValue, default: 0] += 1
                if refusal.code == .notPermitted { break }
            } catch {
                refused["\(error)", default: 0] += 1
            }
        }
        recorder.campaign(now, node: replicas[node].id, campaign: id, given: given, refused: refused)
    }

    /// The till's decision for one request; nil when there is nothing to do.
    private func decide(_ kind: ChainWorkload.Kind, node: Int, member: ChainWorkload.Member, memberID: String) throws -> OpBody? {
        let teller = replicas[node].teller(now: clock(node))
        switch kind {
        case .topUp(let fen): return try teller.topUp(card: member.card, amount: Money(fen: fen))
        case .charge(let fen): return try charge(node, card: member.card, fen: fen)
        case .refundLatest:
            guard let latest = recorder.latestCharge(member: memberID, at: replicas[node].id) else { return nil }
            return try teller.refund(card: member.card, charge: latest.op, amount: Money(fen: min(latest.fen, 2_000)))
        case .redeemPoints(let points): return try redeemPoints(teller, card: member.card, member: memberID, points: points)
        case .punch(let atCheckout):
            guard let punch = member.punchCard else { return nil }
            guard atCheckout else { return try teller.usePunch(card: punch, uses: 1) }
            // The service, paid by a use; a shampoo beside it in cash.
            let items: [SaleRequest.Item] = [.init(sku: ChainWorkload.catalogue[1].sku, quantity: 1), .init(sku: ChainWorkload.catalogue[0].sku, quantity: 1)]
            return try teller.sell(SaleRequest(card: punch, items: items, payments: [.init(kind: .punch, amount: nil), .init(kind: .cash, amount: nil)], staff: nil))
        case .issueCoupon(let code, let fen): return try teller.issueCoupon(code: code, member: memberID, value: Money(fen: fen), title: "sim")
        case .redeemCoupon(let code): return try redeemCoupon(teller, code)
        case .reportLost: return try teller.reportCard(member.card, .lost)
        case .setPointsPerYuan(let n): return try teller.setSetting(key: Settings.pointsPerYuan, value: String(n))
        case .addProduct(let sku, let fen, let goods):
            return try teller.setProduct(Catalogue.newProduct(ProductSet(sku: sku, name: sku, kind: goods ? .goods : .service, price: Money(fen: fen))), isNew: true)
        case .basket(let items, let storedFen):
            let payments: [SaleRequest.Payment] = (storedFen > 0 ? [.init(kind: .stored, amount: Money(fen: storedFen))] : []) + [.init(kind: .cash, amount: nil)]
            return try teller.sell(SaleRequest(card: member.card, items: items.map { .init(sku: $0.sku, quantity: $0.quantity) }, payments: payments, staff: nil))
        case .returnLatestSale:
            guard let sale = recorder.sales[replicas[node].id]?.last else { return nil }
            return try teller.returnSale(sale, quantities: [:])
        case .receiveStock(let sku, let quantity): return try teller.receiveStock(StockMove(sku: sku, quantity: quantity, supplier: "sim"))
        case .transferStock(let sku, let quantity, let to):
            guard to != node, to < replicas.count else { return nil }
            return try teller.transferStock(StockTransfer(sku: sku, quantity: quantity, to: replicas[to].id))
        case .arriveTransfer:
            let here = replicas[node].id
            if options.broken == .arriveTwice, let t = recorder.transfers.first(where: { $0.to == here }),
               let transfer = try Stock.transfer(t.id, in: teller.state), transfer.arrived {
                return .transferArrived(transfer: t.id, sku: transfer.sku, quantity: transfer.quantity)
            }
            for t in recorder.transfers where t.to == here {
                if let transfer = try Stock.transfer(t.id, in: teller.state), !transfer.arrived { return try teller.receiveTransfer(t.id) }
            }
            return nil
        case .setProgram: return try teller.setProgram(ChainWorkload.program)
        case .issueTemplateCoupon(let template):
            // Coded from the op's id, as the node codes it.
            return try teller.issueCoupon(template: template, member: memberID, code: "\(template).\(replicas[node].id).\(replicas[node].nextSeq)")
        case .useMemberCoupon(let atCheckout):
            guard let code = memberCoupon(node, memberID) else { return nil }
            guard atCheckout else { return try redeemCoupon(teller, code) }
            // A basket over the coupon's minimum spend: the coupon, then cash for the rest.
            let items: [SaleRequest.Item] = [.init(sku: ChainWorkload.catalogue[1].sku, quantity: 1)]
            return try teller.sell(SaleRequest(card: member.card, items: items, payments: [.init(kind: .coupon, amount: nil, reference: code), .init(kind: .cash, amount: nil)], staff: nil))
        case .transferBalance(let to, let fen):
            return try teller.transferBalance(from: member.card, to: workload.members[to].card, amount: Money(fen: fen))
        case .returnCard: return try teller.returnCard(member.card, tender: .cash)
        case .redeemGift: return try teller.redeemGift(card: member.card, gift: ChainWorkload.gift)
        case .runCampaign: return nil
        }
    }

    /// A coupon redeemed alone; with `--broken coupon-twice` a used coupon is redeemed again.
    private func redeemCoupon(_ teller: Teller, _ code: String) throws -> OpBody {
        do { return try teller.redeemCoupon(code: code) } catch let refusal as MMSError where refusal.code == .couponUsed && options.broken == .couponTwice {
            guard let coupon = try teller.state.coupon(code), coupon.left <= 0 else { throw refusal }
            return .couponRedeemed(code: code, member: coupon.member)
        }
    }

    /// Points redeemed; with `--broken expired-points` the till ignores the lots' last days and
    /// takes from any lot this node holds.
    private func redeemPoints(_ teller: Teller, card: String, member: String, points: Int64) throws -> OpBody {
        do { return try teller.redeemPoints(card: card, points: Points(points)) } catch let refusal as MMSError where refusal.code == .insufficientPoints && options.broken == .expiredPoints {
            var taken: [LotPoints] = [], rest = points
            for lot in try PointsLots.lots(member: member, in: teller.state) where rest > 0 {
                let here = min(rest, max(0, lot.account.rights(at: teller.origin)))
                if here > 0 { taken.append(LotPoints(year: lot.year, points: here)); rest -= here }
            }
            guard rest == 0 else { throw refusal }
            var redeemed = PointsRedeemed(member: member, card: card, points: Points(points))
            redeemed.lots = taken
            return .pointsRedeemed(redeemed)
        }
    }

    /// A stored-value payment under the run's policy.
    private func charge(_ node: Int, card: String, fen: Int64) throws -> OpBody {
        let teller = replicas[node].teller(now: clock(node))
        switch effectivePolicy {
        case .escrow:
            return try teller.charge(card: card, amount: Money(fen: fen))
        case .offlineRefuse:
            guard node == 0 || linkedSession(node, to: 0) != nil else {
                tally.refusedOffline += 1
                throw MMSError(.storeFailure, "offline: stored-value payments need the head office")
            }
            return try teller.charge(card: card, amount: Money(fen: fen))
        case .alwaysAccept:
            do { return try teller.charge(card: card, amount: Money(fen: fen)) } catch let refusal as MMSError where refusal.isShortOfRightsOnly {
                guard let view = try teller.state.card(card) else { throw refusal }
                return .charge(Charge(member: view.member, card: card, amount: Money(fen: fen), pointsEarned: Points(0)))
            }
        }
    }

    // MARK: After the final heal

    private func isConverged() -> Bool {
        guard alive.allSatisfy({ $0 }), let first = replicas.first?.vector else { return false }
        return replicas.allSatisfy { $0.vector == first && $0.pendingCount == 0 }
    }
}

/// The first invariant a run broke.
public struct Violation: Codable, Sendable, Equatable {
    public let invariant: String
    public let detail: String
    public var step = 0
    public var atMillis: UInt64 = 0
    public init(invariant: String, detail: String) { self.invariant = invariant; self.detail = detail }
}
