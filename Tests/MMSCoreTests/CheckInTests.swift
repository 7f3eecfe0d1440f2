import MMSCore
import MMSTestSupport
import Testing

/// 签到: the program's points once a day, decided by the member's home node alone, so that two
/// nodes cut off from each other cannot both give them.
@Suite struct CheckInTests {
    static let day1: UInt64 = 1_796_263_200_000           // 2026-12-03 10:00 China time
    static let day2: UInt64 = day1 + 86_400_000

    func teller(_ node: TestNode, _ millis: UInt64 = day1) -> Teller { Teller(state: node.state, origin: node.id, role: .branch, wallMillis: millis) }

    @Test func onceADayAtTheMembersHome() throws {
        var home = TestNode("branch-1", seed: 1), other = TestNode("branch-2", seed: 2)
        home.issue(Sample.memberAdded())
        #expect(throws: MMSError.self) { try teller(home).checkIn(member: Sample.member) }   // not turned on
        var program = Program()
        program.checkInPoints = 5
        home.issue(.programSet(version: 1, document: program.canonicalJSON()))
        for op in home.log { other.receive(op) }
        let first = try teller(home).checkIn(member: Sample.member)
        #expect(first == .pointsAwarded(member: Sample.member, points: Points(5), campaign: "checkin.20261203", holder: home.id))
        home.issue(first)
        // Again the same day: refused here; and no other node decides it, linked or cut off.
        #expect(throws: MMSError.self) { try teller(home).checkIn(member: Sample.member) }
        #expect(throws: MMSError.self) { try teller(other).checkIn(member: Sample.member) }
        #expect(try teller(home, Self.day2).checkIn(member: Sample.member) == .pointsAwarded(member: Sample.member, points: Points(5), campaign: "checkin.20261204", holder: home.id))
        // A branch's check-in op is one the chain accepts from it; a stranger's campaign is not.
        #expect(first.isPermitted(origin: home.id, role: .branch))
        #expect(!OpBody.pointsAwarded(member: Sample.member, points: Points(5), campaign: "checkin.20261203", holder: other.id).isPermitted(origin: home.id, role: .branch))
        #expect(try home.state.member(Sample.member).map { _ in try home.state.flags(entity: Cell.member(Sample.member)).contains("campaign:checkin.20261203") } == true)
    }
}
