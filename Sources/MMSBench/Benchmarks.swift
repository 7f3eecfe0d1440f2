import Foundation
import GRDB
import MMSCore
import MMSCrypto
import MMSNode
import MMSStore

/// The ledger's figures, each beside the physical limit it is bounded by, measured in one run.
public struct BenchReport: Codable, Sendable {
    public var rawSQLiteOnePerTransaction: Timing
    public var rawSQLiteSixteenPerTransaction: Timing
    public var durableCharges: Timing
    public var chargesVsRawRatio: Double
    public var remoteApply: Timing
    /// The same ops applied without the report tables: what keeping them costs.
    public var remoteApplyWithoutReports: Timing
    public var remoteApplyBatch: Int
    public var rebuildOps: Int
    public var rebuildSeconds: Double
    public var verifySeconds: Double
    public var bytesPerOpOnDisk: Double
    public var bytesPerOpEncoded: Double
    public var pinCheck: Timing
    public var ed25519Sign: Timing
    public var ed25519Verify: Timing
}

public enum Benchmarks {
    public struct Options: Sendable {
        public var charges = 3_000
        public var remoteOps = 100_000
        public var rebuildOps = 1_000_000
        public var batch = 1_024
        public init() {}
    }

    public static func run(_ options: Options, progress: (String) -> Void) throws -> BenchReport {
        progress("raw SQLite, WAL, synchronous=FULL: one insert + one update per transaction")
        let raw1 = try rawSQLite(transactions: options.charges, rowsPerTransaction: 1)
        progress("raw SQLite: 16 per transaction")
        let raw16 = try rawSQLite(transactions: max(1, options.charges), rowsPerTransaction: 16)
        progress("durable charges through the ledger (\(options.charges))")
        let charges = try durableCharges(count: options.charges)
        // Each set of ops is made and dropped on its own: a node receives batches from the network,
        // it never holds a million decoded ops in memory while applying them.
        progress("generating \(options.remoteOps) signed ops, then applying them in batches of \(options.batch)")
        let (remote, bare) = try { () throws -> (Timing, Timing) in
            let ops = generateOps(count: options.remoteOps)
            let remote = try applyRemote(ops.ops, key: ops.key, batch: options.batch).0
            progress("the same ops again, without the report tables")
            return (remote, try applyRemote(ops.ops, key: ops.key, batch: options.batch, reports: false).0)
        }()
        progress("generating and loading \(options.rebuildOps) ops, then rebuilding the state from the log")
        let (big, encodedBytes) = try { () throws -> (BenchStore, Int) in
            let ops = generateOps(count: options.rebuildOps)
            return (try applyRemote(ops.ops, key: ops.key, batch: options.batch).1, ops.ops.reduce(0) { $0 + $1.bytes.count + $1.signature.count })
        }()
        let rebuild = try elapsed { try big.store.rebuild() }
        var verified: NodeStore.Verification?
        let verify = try elapsed { verified = try big.store.verify() }
        precondition(verified?.ok == true, "rebuilt state differs from the materialised state")
        try big.store.checkpoint()
        let onDisk = try big.bytesOnDisk()
        progress("PIN check (Argon2id) and Ed25519")
        let secrets = ChainSecrets.generate()
        let hash = try secrets.hashPIN("2468")
        let pin = measure(10) { _ in precondition(secrets.verifyPIN("2468", hash: hash)) }
        let key = SigningKey.generate()
        let message = [UInt8](repeating: 7, count: 200)
        let signature = key.signature(for: message)
        let sign = measure(2_000) { _ in _ = key.signature(for: message) }
        let verifySig = measure(2_000) { _ in precondition(key.publicKey.isValidSignature(signature, for: message)) }
        let opCount = options.rebuildOps
        return BenchReport(
            rawSQLiteOnePerTransaction: raw1, rawSQLiteSixteenPerTransaction: raw16,
            durableCharges: charges, chargesVsRawRatio: charges.perSecond / raw1.perSecond,
            remoteApply: remote, remoteApplyWithoutReports: bare, remoteApplyBatch: options.batch,
            rebuildOps: opCount, rebuildSeconds: rebuild, verifySeconds: verify,
            bytesPerOpOnDisk: Double(onDisk) / Double(max(opCount, 1)),
            bytesPerOpEncoded: Double(encodedBytes) / Double(max(opCount, 1)),
            pinCheck: pin, ed25519Sign: sign, ed25519Verify: verifySig)
    }

    /// The physical limit: the same durability settings as the store, the smallest useful transaction.
    static func rawSQLite(transactions: Int, rowsPerTransaction: Int) throws -> Timing {
        let dir = try temporaryDirectory("raw")
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = Configuration()
        config.journalMode = .wal
        config.prepareDatabase { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        let db = try DatabaseQueue(path: dir.appendingPathComponent("raw.sqlite").path, configuration: config)
        try db.write { db in
            try db.execute(sql: "CREATE TABLE log (id INTEGER PRIMARY KEY, body BLOB NOT NULL); CREATE TABLE total (k INTEGER PRIMARY KEY, v INTEGER NOT NULL); INSERT INTO total VALUES (1, 0)")
        }
        let body = Data(repeating: 1, count: 200)
        return try measure(transactions, unitsPerCall: rowsPerTransaction) { _ in
            try db.write { db in
                for _ in 0..<rowsPerTransaction {
                    try db.cachedStatement(sql: "INSERT INTO log (body) VALUES (?)").execute(arguments: [body])
                    try db.cachedStatement(sql: "UPDATE total SET v = v + 1 WHERE k = 1").execute()
                }
            }
        }
    }

    /// Charges as a till makes them, through `LocalNode`: rules, op, signature, cells, idempotency key, fsync.
    static func durableCharges(count: Int) throws -> Timing {
        let dir = try temporaryDirectory("charges")
        defer { try? FileManager.default.removeItem(at: dir) }
        let directory = DataDirectory(dir.appendingPathComponent("node").path)
        try LocalNode.initialise(directory: directory, id: NodeID("branch-1"), role: .branch)
        let node = try LocalNode(directory: directory)
        let card = try prepareCard(node, fen: Int64(count) + 100)
        return try measure(count) { i in
            _ = try node.charge(card: card, amount: Money(fen: 1), pin: nil, requestKey: "bench-\(i)")
        }
    }

    /// A member with a PIN-less stored card holding at least `fen`.
    public static func prepareCard(_ node: LocalNode, fen: Int64) throws -> String {
        let member = try node.addMember(MemberProfile(name: "压测", phone: "1390000\(Int.random(in: 1000...9999))", birthday: "1990-01-01"))
        let card = "bench\(Int.random(in: 100_000...999_999))"
        _ = try node.issueCard(number: card, member: member.id, type: .stored, pin: nil, discountPercent: nil, uses: nil)
        var left = fen
        while left > 0 {
            let amount = min(left, Limits.maxAmount.fen)
            _ = try node.topUp(card: card, amount: Money(fen: amount), requestKey: nil)
            left -= amount
        }
        return card
    }

    struct GeneratedOps { let ops: [SignedOp]; let key: SigningKey }

    /// A busy branch's op stream, made in memory with the real rules: members join, top up and pay.
    static func generateOps(count: Int) -> GeneratedOps {
        let key = SigningKey.generate()
        let origin = try! NodeID("branch-7")
        var chain = OriginChain(origin: origin, head: .genesis, clock: .zero)
        var state = MemoryState()
        var ops: [SignedOp] = []
        ops.reserveCapacity(count)
        var rng = SystemRandomNumberGenerator()
        var cards: [String] = []
        var now: UInt64 = 1_700_000_000_000
        func issue(_ body: OpBody) {
            now += 1
            let op = chain.issue(body, now: now, key: key)
            state.apply(op.op.deltas)
            ops.append(op)
        }
        while ops.count < count {
            if cards.isEmpty || (ops.count % 50 == 0 && ops.count + 3 <= count) {
                let m = "\(origin).m\(ops.count + 1)", card = "62\(ops.count)"
                issue(.memberAdded(MemberAdded(member: m, sealedName: randomBytes(40), sealedPhone: randomBytes(51), sealedBirthday: randomBytes(50), phoneIndex: randomBytes(16))))
                issue(.cardIssued(CardIssued(number: card, member: m, type: .stored, pinHash: "", discountPercent: 0, punchAccount: "", punchUses: 0, replaces: "")))
                cards.append(card)
                continue
            }
            let card = cards.randomElement(using: &rng)!
            let amount = Money(fen: Int64.random(in: 100...50_000, using: &rng))
            // The teller's copy of the state must be gone before `issue` mutates it (no copy-on-write).
            let body: OpBody = {
                let teller = Teller(state: state, origin: origin, role: .branch)
                return (try? teller.charge(card: card, amount: amount)) ?? (try! teller.topUp(card: card, amount: amount))
            }()
            issue(body)
        }
        return GeneratedOps(ops: ops, key: key)
    }

    struct BenchStore {
        let store: NodeStore
        let dir: URL
        func bytesOnDisk() throws -> Int {
            try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: [.fileSizeKey])
                .reduce(0) { $0 + (try $1.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0) }
        }
    }

    /// Applies ops as a replica receives them: bounded batches, one transaction each.
    static func applyRemote<C: Collection>(_ ops: C, key: SigningKey, batch: Int, reports: Bool = true) throws -> (Timing, BenchStore) where C.Element == SignedOp {
        let dir = try temporaryDirectory("remote")
        let store = try NodeStore(path: dir.appendingPathComponent("store.sqlite").path, origin: NodeID("hq"), role: .hq)
        store.keepsReportTables = reports
        try store.trust(origin: NodeID("branch-7"), key: key.publicKey, role: .branch)
        let all = Array(ops)
        let batches = stride(from: 0, to: all.count, by: batch).map { Array(all[$0..<min($0 + batch, all.count)]) }
        var samples: [Double] = []
        let total = try elapsed {
            for b in batches {
                let t = try elapsed { try store.applyRemote(b, now: 1_800_000_000_000) }
                samples.append(t)
            }
        }
        return (Timing(samples: samples, total: total, units: all.count), BenchStore(store: store, dir: dir))
    }

    /// For the crash test and for watching a node under load: charges one card `count` times,
    /// printing "ack <request key> <op>" after each durable commit — the till's acknowledgement.
    public static func chargeStream(node: LocalNode, card: String, amount: Money, count: Int, keyPrefix: String, ack: (String) -> Void) throws -> Timing {
        try measure(count) { i in
            let key = "\(keyPrefix)\(i)"
            let result = try node.charge(card: card, amount: amount, pin: nil, requestKey: key)
            ack("ack \(key) \(result.op)")
        }
    }
}
