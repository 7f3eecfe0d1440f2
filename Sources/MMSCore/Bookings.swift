/// 预约: a member books a service (a catalogue product of kind `service`) at a branch for a
/// half-hour slot; the branch sees it on its console; the member (or the branch) may cancel it
/// until the slot begins. Any node decides a booking — the member's page is served by whichever
/// node they reach — and it replicates like any op, so a branch cut off from the member's node
/// learns of it when the link returns.
///
/// A slot takes `perSlot` bookings as the deciding replica sees them: two nodes cut off from each
/// other can each give the last place, and the branch's console marks such a slot as over.
public struct Booking: Equatable, Sendable {
    /// The deciding op's id (`origin:seq`): unique without coordination.
    public var id: String
    public var member: String
    public var branch: NodeID
    public var service: String
    /// The slot's start, China time, as `YYYYMMDDHHmm`.
    public var slot: Int64
    public init(id: String, member: String, branch: NodeID, service: String, slot: Int64) {
        self.id = id; self.member = member; self.branch = branch; self.service = service; self.slot = slot
    }
}

/// A booking as a replica holds it.
public struct BookingView: Equatable, Sendable {
    public let booking: Booking
    public let cancelled: Bool
    public init(booking: Booking, cancelled: Bool) { self.booking = booking; self.cancelled = cancelled }
}

public enum Bookings {
    public static let slotMinutes: Int64 = 30
    /// Opening hours, China time: the first slot starts at `opens`, the last ends at `closes`.
    public static let opens: Int64 = 900, closes: Int64 = 2_100
    public static let daysAhead: Int64 = 30
    public static let perSlot = 2
    public static let maxUpcoming = 5

    public static func id(_ op: OpID) -> String { "\(op.origin.rawValue):\(op.seq)" }

    /// The slot a wall time falls in, China time (`YYYYMMDDHHmm`).
    public static func slot(wallMillis: UInt64) -> Int64 {
        let minuteOfDay = Int64((wallMillis / 60_000 + 8 * 60) % 1_440)
        return CardLife.dayNumber(Sales.day(wallMillis: wallMillis)) * 10_000 + minuteOfDay / 60 * 100 + minuteOfDay % 60
    }

    /// `YYYY-MM-DD HH:mm` as a slot, or nil when it is no time at all.
    public static func slot(parsing text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 2, isDay(String(parts[0])) else { return nil }
        let clock = parts[1].split(separator: ":")
        guard clock.count == 2, clock.allSatisfy({ $0.count == 2 }), let hour = Int64(clock[0]), let minute = Int64(clock[1]),
              (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        return CardLife.dayNumber(String(parts[0])) * 10_000 + hour * 100 + minute
    }

    public static func text(_ slot: Int64) -> String { "\(CardLife.dayText(slot / 10_000)) \(clock(slot % 10_000))" }

    /// `HHmm` as `HH:mm`.
    public static func clock(_ hhmm: Int64) -> String { String(format: "%02lld:%02lld", hhmm / 100, hhmm % 100) }

    /// Whether `slot` is a time at all (any day, any minute): what an op may carry.
    public static func isSlot(_ slot: Int64) -> Bool { slot > 0 && isDay(CardLife.dayText(slot / 10_000)) && slot / 100 % 100 < 24 && slot % 100 < 60 }

    /// A day of the calendar (not 02-30): the same day after going through day numbers.
    static func isDay(_ text: String) -> Bool { Sales.isDayShape(text) && CardLife.day(text, plus: 0) == text }

    /// The slots a day offers, in order.
    public static func slots(day: Int64) -> [Int64] {
        stride(from: opens / 100 * 60 + opens % 100, to: closes / 100 * 60 + closes % 100, by: Int(slotMinutes)).map { day * 10_000 + Int64($0 / 60 * 100 + $0 % 60) }
    }
}

extension Teller {
    /// A booking for `member` at `branch`: a service of the catalogue, a slot the branch offers
    /// from now to `daysAhead` days on, a place left in it, and not more than `maxUpcoming` ahead.
    public func book(id: OpID, member: String, branch: NodeID, service: String, slot: Int64) throws -> OpBody {
        guard try state.member(member) != nil else { throw MMSError(.unknownMember, "There is no member \(member.prefix(64)).") }
        guard let product = try Catalogue.product(service, in: state), product.kind == .service, product.active else {
            throw MMSError(.unknownProduct, "\(service.prefix(Catalogue.maxSKULength)) is not a service that can be booked.", details: ["service": String(service.prefix(Catalogue.maxSKULength))])
        }
        let now = slotNow, day = slot / 10_000
        let lastDay = CardLife.dayNumber(CardLife.day(CardLife.dayText(now / 10_000), plus: Bookings.daysAhead))
        guard Bookings.isSlot(slot), Bookings.slots(day: day).contains(slot) else {
            throw MMSError(.invalidArgument, "Slots start every \(Bookings.slotMinutes) minutes from \(Bookings.clock(Bookings.opens)) until \(Bookings.clock(Bookings.closes)).", details: ["reason": "not_a_slot"])
        }
        guard slot > now, day <= lastDay else {
            throw MMSError(.invalidArgument, "A booking is for a time from now to \(Bookings.daysAhead) days ahead.", details: ["slot": Bookings.text(slot), "reason": "out_of_range"])
        }
        let taken = try state.bookings(branch: branch, day: day).filter { !$0.cancelled && $0.booking.slot == slot }
        guard !taken.contains(where: { $0.booking.member == member }) else {
            throw MMSError(.invalidArgument, "You have booked this time already.", details: ["slot": Bookings.text(slot), "reason": "booked_already"])
        }
        guard taken.count < Bookings.perSlot else { throw MMSError(.slotFull, "This time is fully booked: choose another.", details: ["slot": Bookings.text(slot)]) }
        guard try state.bookings(member: member).filter({ !$0.cancelled && $0.booking.slot > now }).count < Bookings.maxUpcoming else {
            throw MMSError(.invalidArgument, "At most \(Bookings.maxUpcoming) bookings ahead: cancel one first.", details: ["reason": "too_many"])
        }
        return .bookingMade(Booking(id: Bookings.id(id), member: member, branch: branch, service: service, slot: slot))
    }

    /// Cancels a booking not yet begun; `member`, when given, must be the one who made it.
    public func cancelBooking(_ id: String, member: String?) throws -> OpBody {
        guard let view = try state.booking(id), member.map({ $0 == view.booking.member }) ?? true else {
            throw MMSError(.notFound, "There is no such booking.")
        }
        guard !view.cancelled else { throw MMSError(.invalidArgument, "This booking is cancelled already.", details: ["reason": "cancelled_already"]) }
        guard view.booking.slot > slotNow else { throw MMSError(.invalidArgument, "This booking's time has begun.", details: ["reason": "begun"]) }
        return .bookingCancelled(id: id, member: view.booking.member)
    }
}

extension StateReader {
    public func booking(_ id: String) throws -> BookingView? {
        let r = try texts(entity: Cell.booking(id))
        guard let member = r[Cell.bookingMember], let branch = r[Cell.bookingBranch].flatMap({ try? NodeID($0) }),
              let service = r[Cell.bookingService], let slot = r[Cell.bookingSlot].flatMap({ Int64($0) }) else { return nil }
        return BookingView(booking: Booking(id: id, member: member, branch: branch, service: service, slot: slot),
                           cancelled: try flags(entity: Cell.booking(id)).contains(Cell.cancelled))
    }

    /// A branch's bookings of a day (`YYYYMMDD`), cancelled ones too, by slot.
    public func bookings(branch: NodeID, day: Int64) throws -> [BookingView] {
        try flags(entity: Cell.bookings(branch: branch, day: day)).compactMap { try booking($0) }.sorted { ($0.booking.slot, $0.booking.id) < ($1.booking.slot, $1.booking.id) }
    }

    /// A member's bookings, cancelled ones too, by slot.
    public func bookings(member: String) throws -> [BookingView] {
        try flags(entity: Cell.member(member)).filter { $0.hasPrefix(Cell.bookingPrefix) }
            .compactMap { try booking(String($0.dropFirst(Cell.bookingPrefix.count))) }.sorted { ($0.booking.slot, $0.booking.id) < ($1.booking.slot, $1.booking.id) }
    }
}
