import MMSCore
import MMSTestSupport
import Testing

/// 预约 as the core decides it: a catalogue service, a slot the branch offers ahead of now, a
/// place left in it; cancelled once, before it begins; the same bookings in any order of ops.
@Suite struct BookingTests {
    // 2026-12-03 10:00 China time.
    static let now: UInt64 = 1_796_263_200_000
    let branch2 = try! NodeID("branch-2")

    func teller(_ node: TestNode, at millis: UInt64 = now) -> Teller { Teller(state: node.state, origin: node.id, role: .branch, wallMillis: millis) }

    func shop() -> TestNode {
        var node = TestNode("branch-1", seed: 1)
        for member in ["branch-1.m1", "branch-1.m2", "branch-1.m3"] { node.issue(Sample.memberAdded(member)) }
        node.issue(.productSet(ProductSet(sku: "SV-FACIAL", name: "面部护理", kind: .service, price: Money(fen: 19_800), active: true)))
        node.issue(.productSet(ProductSet(sku: "PR-104", name: "精华液", kind: .goods, price: Money(fen: 29_800), active: true)))
        return node
    }

    @Test func theSlotsAndTheirText() {
        #expect(Bookings.slot(wallMillis: Self.now) == 202_612_031_000)
        #expect(Bookings.slot(parsing: "2026-12-05 14:30") == 202_612_051_430 && Bookings.text(202_612_051_430) == "2026-12-05 14:30")
        for typo in ["2026-12-05", "2026-12-05 24:00", "2026-02-30 10:00", "2026-12-05 9:00", "tomorrow 10:00"] { #expect(Bookings.slot(parsing: typo) == nil, "\(typo)") }
        let day = Bookings.slots(day: 20_261_205)
        #expect(day.first == 202_612_050_900 && day.last == 202_612_052_030 && day.count == 24)
    }

    @Test func aSlotTakesItsPlacesAndNoMore() throws {
        var node = shop()
        let slot: Int64 = 202_612_051_430
        for (seq, member) in [(97, "branch-1.m1"), (98, "branch-1.m2")] {
            node.issue(try teller(node).book(id: OpID(origin: node.id, seq: UInt64(seq)), member: member, branch: branch2, service: "SV-FACIAL", slot: slot))
        }
        #expect(throws: MMSError(.slotFull, "This time is fully booked: choose another.", details: ["slot": "2026-12-05 14:30"])) {
            try teller(node).book(id: OpID(origin: node.id, seq: 99), member: "branch-1.m3", branch: branch2, service: "SV-FACIAL", slot: slot)
        }
        let day = try node.state.bookings(branch: branch2, day: 20_261_205)
        #expect(day.map(\.booking.member) == ["branch-1.m1", "branch-1.m2"] && day.allSatisfy { !$0.cancelled })
        // A cancelled place is free again; a booking is cancelled once, by its member.
        let first = day[0].booking.id
        #expect(throws: MMSError.self) { try teller(node).cancelBooking(first, member: "branch-1.m2") }
        node.issue(try teller(node).cancelBooking(first, member: "branch-1.m1"))
        #expect(throws: MMSError.self) { try teller(node).cancelBooking(first, member: "branch-1.m1") }
        node.issue(try teller(node).book(id: OpID(origin: node.id, seq: 100), member: "branch-1.m3", branch: branch2, service: "SV-FACIAL", slot: slot))
        #expect(try node.state.bookings(member: "branch-1.m1").map(\.cancelled) == [true])
        // Once the slot has begun it can no longer be cancelled.
        let begun = 1_796_452_200_000 as UInt64 // 2026-12-05 14:30 China time
        #expect(throws: MMSError.self) { try teller(node, at: begun).cancelBooking(day[1].booking.id, member: "branch-1.m2") }
    }

    @Test func whatCannotBeBooked() throws {
        let node = shop()
        func refused(_ service: String, _ slot: Int64, member: String = "branch-1.m1") -> MMSError.Code? {
            do { _ = try teller(node).book(id: OpID(origin: node.id, seq: 9), member: member, branch: branch2, service: service, slot: slot); return nil } catch let e as MMSError { return e.code } catch { return nil }
        }
        #expect(refused("PR-104", 202_612_051_430) == .unknownProduct)          // goods, not a service
        #expect(refused("SV-NONE", 202_612_051_430) == .unknownProduct)
        #expect(refused("SV-FACIAL", 202_612_030_930) == .invalidArgument)      // begun already
        #expect(refused("SV-FACIAL", 202_612_052_100) == .invalidArgument)      // after closing
        #expect(refused("SV-FACIAL", 202_612_051_415) == .invalidArgument)      // not a slot's start
        #expect(refused("SV-FACIAL", 202_702_011_000) == .invalidArgument)      // beyond 30 days
        #expect(refused("SV-FACIAL", 202_612_051_430, member: "branch-1.m9") == .unknownMember)
        #expect(refused("SV-FACIAL", 202_612_051_430) == nil)
    }

    /// Two nodes cut off from each other each give the slot's last place: every order of the ops
    /// gives the same bookings, and the day shows three held in a slot of two.
    @Test func concurrentBookingsConverge() throws {
        var b1 = shop(), b2 = TestNode("branch-2", seed: 2)
        for op in b1.log { b2.receive(op) }
        let slot: Int64 = 202_612_051_000
        let a = b1.issue(try teller(b1).book(id: OpID(origin: b1.id, seq: 90), member: "branch-1.m1", branch: branch2, service: "SV-FACIAL", slot: slot))
        b2.receive(a)
        let b = b1.issue(try teller(b1).book(id: OpID(origin: b1.id, seq: 91), member: "branch-1.m2", branch: branch2, service: "SV-FACIAL", slot: slot))
        let c = b2.issue(try teller(b2).book(id: OpID(origin: b2.id, seq: 92), member: "branch-1.m3", branch: branch2, service: "SV-FACIAL", slot: slot))
        b1.receive(c); b2.receive(b)
        let one = try b1.state.bookings(branch: branch2, day: 20_261_205), other = try b2.state.bookings(branch: branch2, day: 20_261_205)
        #expect(one == other && one.count == 3)
        for op in [a, b, c] { #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(op)) == op) }
    }
}
