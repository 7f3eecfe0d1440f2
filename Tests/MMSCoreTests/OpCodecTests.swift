import MMSCore
import MMSCrypto
import MMSTestSupport
import Testing

@Suite struct OpCodecTests {
    @Test func everyKindRoundTrips() throws {
        var node = TestNode("branch-1", seed: 1)
        let other = try NodeID("branch-2")
        let bodies: [OpBody] = [
            Sample.memberAdded(), Sample.storedCard(),
            .cardIssued(CardIssued(number: "P1", member: Sample.member, type: .punch, pinHash: "x", discountPercent: 0, punchAccount: "punch:P1", punchUses: 10, replaces: "")),
            .cardReported(card: "P1", report: .lost), .pinFailed(card: "P1"), .pinUnlocked(card: "P1", observedFailures: [other: 3, node.id: 1]),
            .topUp(Payment(member: Sample.member, card: Sample.card, amount: Money(fen: 10_000))),
            .charge(Charge(member: Sample.member, card: Sample.card, amount: Money(fen: 3_000), pointsEarned: Points(30))),
            .refund(Refund(member: Sample.member, card: Sample.card, amount: Money(fen: 100), charge: OpID(origin: other, seq: 4))),
            // The one-line sale: an amount line on a 95 % discount card, paid in cash with change.
            .sale(Sale(member: Sample.member, card: "D1", staff: "", lines: [SaleLine(sku: "", quantity: 1, unitPrice: Money(fen: 1_000), discount: Money(fen: 50),
                                                                                      amount: Money(fen: 950), commission: Money(fen: 0), goods: false)],
                       tenders: [Tender(kind: .cash, amount: Money(fen: 1_000))], total: Money(fen: 950), change: Money(fen: 50), pointsEarned: Points(9))),
            .pointsRedeemed(PointsRedeemed(member: Sample.member, card: Sample.card, points: Points(5))),
            .punchUsed(PunchUsed(member: Sample.member, card: "P1", account: "punch:P1", uses: 1)),
            .rightsTransferred(RightsTransferred(account: "sv:m", to: other, amount: 500)),
            .settingSet(key: Settings.pointsPerYuan, value: "2"),
            .couponIssued(CouponIssued(code: "SPRING-1", member: Sample.member, value: Money(fen: 1_000), title: "春季券")),
            .couponRedeemed(code: "SPRING-1", member: Sample.member),
            .bookingMade(Booking(id: "branch-1:7", member: Sample.member, branch: other, service: "SV-FACIAL", slot: 202_612_051_430)),
            .bookingCancelled(id: "branch-1:7", member: Sample.member),
            .memberFieldSet(member: Sample.member, field: "过敏史", sealedValue: [1, 2, 3]),
            .memberPhotoSet(member: Sample.member, digest: MemberPhotos.digest([0xFF, 0xD8, 0xFF, 0]), size: 4),
        ]
        for body in bodies {
            let op = node.issue(body)
            let decoded = try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(op))
            #expect(decoded == op, "\(body.kind)")
        }
    }

    /// Ops caused on the console and the member's page name those pages as their till, and peers
    /// take them; any other till that is no identifier is malformed.
    @Test func thePagesTillsReplicate() throws {
        var node = TestNode("branch-1", seed: 1)
        for actor in [Actor(operatorID: "boss", till: Actor.consoleTill), Actor(operatorID: "", till: Actor.memberTill)] {
            let op = node.issue(.pinFailed(card: "P1"), actor: actor)
            #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(op)) == op)
        }
        let forged = node.issue(.pinFailed(card: "P1"), actor: Actor(operatorID: "boss", till: "@till"))
        #expect(throws: MMSError.self) { try OpCodec.decode(forged.bytes) }
    }

    @Test func garbageAndTruncationAreMalformed() {
        var node = TestNode("branch-1", seed: 1)
        let bytes = OpCodec.encodeEnvelope(node.issue(Sample.memberAdded()))
        for broken in [[0xFF, 0xFF, 0xFF], Array(bytes.prefix(bytes.count / 2)), [UInt8](repeating: 0x0A, count: 40)] {
            #expect(throws: MMSError.self) { try OpCodec.decodeEnvelope(broken) }
        }
    }

    @Test func outOfRangeValuesAreMalformed() throws {
        var node = TestNode("branch-1", seed: 1)
        // A charge the codec itself would never write: zero and negative amounts, a bad card id.
        for body: OpBody in [
            .charge(Charge(member: "m", card: "c", amount: Money(fen: 0), pointsEarned: Points(0))),
            .topUp(Payment(member: "m", card: "c", amount: Money(fen: -5))),
            .topUp(Payment(member: "m", card: "has space", amount: Money(fen: 5))),
            .topUp(Payment(member: "m", card: "c", amount: Money(fen: Limits.maxAmount.fen + 1))),
            .memberFieldSet(member: "m", field: "skin type", sealedValue: [1]),
            .memberPhotoSet(member: "m", digest: MemberPhotos.digest([1]), size: 0),
            .memberPhotoSet(member: "m", digest: MemberPhotos.digest([1]), size: Int64(MemberPhotos.maxBytes + 1)),
            .bookingMade(Booking(id: "b:1", member: "m", branch: node.id, service: "S", slot: 202_602_301_000)),
        ] {
            let op = node.issue(body)
            #expect(throws: MMSError.self) { try OpCodec.decode(op.bytes) }
        }
    }

    @Test func oversizedOpIsRefused() {
        #expect(throws: MMSError.self) { try OpCodec.decode([UInt8](repeating: 0, count: Limits.maxOpBytes + 1)) }
    }
}
