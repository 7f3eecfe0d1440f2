import MMSCore
import MMSCrypto
import MMSTestSupport
import Testing

/// Operators, tills and the audit fields: who caused an op is signed with it, the permission
/// table is the one place roles are decided, and an origin may only issue the staff ops its role allows.
@Suite struct StaffTests {
    let added = OperatorAdded(id: "c01", name: "李娜", role: .cashier, branch: try! NodeID("branch-1"), passwordHash: "$argon2id$stub")

    @Test func theOperatorAndTillRoundTripThroughTheCodecInsideTheSignedBytes() throws {
        var chain = OriginChain(origin: try NodeID("branch-1"), head: .genesis, clock: .zero)
        let key = try SigningKey(seed: [UInt8](repeating: 7, count: 32))
        let op = chain.issue(.operatorAdded(added), now: 1_000, key: key, actor: Actor(operatorID: "m01", till: "till-1"))
        let decoded = try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(op))
        #expect(decoded.op.actor == Actor(operatorID: "m01", till: "till-1") && decoded.op == op.op)
        try ChainVerifier.verifySingle(decoded, key: key.publicKey, role: .branch)
    }

    @Test(arguments: [Actor(operatorID: "c02", till: "till-1"), Actor(operatorID: "m01", till: "till-9"), Actor.node])
    func aPeerThatRewritesWhoDidItBreaksTheSignature(_ forged: Actor) throws {
        var chain = OriginChain(origin: try NodeID("branch-1"), head: .genesis, clock: .zero)
        let key = try SigningKey(seed: [UInt8](repeating: 7, count: 32))
        let honest = chain.issue(.charge(Charge(member: "branch-1.m1", card: "C1", amount: Money(fen: 3_000), pointsEarned: Points(30))),
                                 now: 1_000, key: key, actor: Actor(operatorID: "m01", till: "till-1"))
        var altered = honest.op
        altered.actor = forged
        // The relay re-encodes the op with other names but can only keep the origin's signature.
        let relayed = SignedOp(op: altered, bytes: OpCodec.encode(altered), signature: honest.signature)
        #expect(relayed.bytes != honest.bytes)
        #expect(throws: MMSError.self) { try ChainVerifier.verifySingle(relayed, key: key.publicKey, role: .branch) }
        #expect(throws: MMSError.self) { try ChainVerifier.verifyRun([relayed], after: .genesis, key: key.publicKey, role: .branch) }
    }

    @Test func onlyTheHeadOfficeAddsChainWideOperatorsAndABranchOnlyItsOwn() throws {
        let b1 = try NodeID("branch-1"), hq = try NodeID("hq")
        var admin = added; admin.role = .hqAdmin
        var elsewhere = added; elsewhere.branch = try NodeID("branch-2")
        #expect(OpBody.operatorAdded(added).isPermitted(origin: b1, role: .branch))
        #expect(!OpBody.operatorAdded(admin).isPermitted(origin: b1, role: .branch))
        #expect(!OpBody.operatorAdded(elsewhere).isPermitted(origin: b1, role: .branch))
        #expect(OpBody.operatorAdded(admin).isPermitted(origin: hq, role: .hq) && OpBody.operatorAdded(elsewhere).isPermitted(origin: hq, role: .hq))
        // A branch that signs such an op anyway is refused by every receiver.
        var chain = OriginChain(origin: b1, head: .genesis, clock: .zero)
        let key = try SigningKey(seed: [UInt8](repeating: 3, count: 32))
        let forged = chain.issue(.operatorAdded(admin), now: 1, key: key)
        #expect(throws: MMSError.self) { try ChainVerifier.verifySingle(forged, key: key.publicKey, role: .branch) }
    }

    @Test func thePermissionTableGivesEachRoleItsActions() {
        #expect(Permissions.allows(.cashier, .charge) && !Permissions.allows(.cashier, .refund) && !Permissions.allows(.cashier, .readAudit))
        #expect(Permissions.allows(.manager, .refund) && Permissions.allows(.manager, .readAudit) && !Permissions.allows(.manager, .changeSettings))
        #expect(Action.allCases.allSatisfy { Permissions.allows(.hqAdmin, $0) })
        #expect(Action.allCases.filter { Permissions.allows(.auditor, $0) } == [.lookUp, .readAudit, .readReports, .exportData], "an auditor reads, changes nothing")
        #expect(!Permissions.allows(.cashier, .readReports) && !Permissions.allows(.cashier, .exportData) && Permissions.allows(.manager, .sendReminders))
        #expect(Permissions.mayManage(.manager, .cashier) && !Permissions.mayManage(.manager, .hqAdmin) && !Permissions.mayManage(.cashier, .cashier))
    }

    @Test func fiveWrongPasswordsCountedAtTwoNodesLockAndANewPasswordCoversThem() throws {
        var a = TestNode("hq", seed: 1), b = TestNode("branch-1", seed: 2)
        var admin = added; admin.role = .hqAdmin; admin.branch = a.id
        b.receive(a.issue(.operatorAdded(admin)))
        for _ in 0..<3 { a.receive(b.issue(.loginFailed(id: "c01"))) }
        for _ in 0..<2 { b.receive(a.issue(.loginFailed(id: "c01"))) }
        #expect(try a.state.operatorView("c01")?.locked == true && b.state.operatorView("c01")?.locked == true)
        let reset = try a.teller.setPassword("c01", hash: "$argon2id$new")
        b.receive(a.issue(reset))
        #expect(try b.state.operatorView("c01")?.locked == false && b.state.operatorView("c01")?.passwordHash == "$argon2id$new")
        // A failure the reset had not seen still counts.
        a.receive(b.issue(.loginFailed(id: "c01")))
        #expect(try a.state.operatorView("c01")?.failures == 1)
    }
}
