import MMSCore

/// A booking as the pages show it: the service's name and the slot in China time.
public struct BookingResult: Codable, Sendable, Equatable {
    public let id: String
    public let member: String
    public let branch: String
    public let service: String
    public let serviceName: String
    public let slot: String
    public let cancelled: Bool
    public var op: String?
}

/// A branch's bookings of a day, and the slots given more places than they have (cut off, two
/// nodes each gave the last one).
public struct BookingDay: Codable, Sendable, Equatable {
    public let branch: String
    public let day: String
    public let bookings: [BookingResult]
    public let overbooked: [String]
}

/// What a member may book: the branches, the services of the catalogue, the next days' slots.
public struct BookingChoices: Sendable {
    public let branches: [String]
    public let services: [(sku: String, name: String)]
    public let days: [String]
    public let times: [String]
}

extension LocalNode {
    // MARK: The member's side (their own page)

    public func bookingChoices() throws -> BookingChoices {
        let branches = try store.trustedOrigins(role: .branch).map(\.rawValue)
        let skus = try store.productSKUs(matching: "", limit: Self.maxProductsListed)
        let services = try store.read { state in
            try skus.compactMap { try Catalogue.product($0, in: state) }.filter { $0.kind == .service && $0.active }.map { (sku: $0.sku, name: $0.name) }
        }
        let today = Sales.day(wallMillis: clock())
        let days = (0..<Bookings.daysAhead).map { CardLife.day(today, plus: $0) }
        return BookingChoices(branches: branches, services: services, days: days,
                              times: Bookings.slots(day: 0).map { Bookings.clock($0 % 10_000) })
    }

    /// Books `service` at `branch` for the slot `YYYY-MM-DD HH:mm` for the signed-in member.
    public func book(session token: String, branch: String, service: String, slot: String) throws -> BookingResult {
        let (card, member) = try memberOfSession(token)
        let branch = try NodeID(branch)
        guard let start = Bookings.slot(parsing: slot) else { throw MMSError(.invalidArgument, "Choose a day and a time.") }
        let issued = try acting(as: Caller(actor: Actor(operatorID: card, till: Actor.memberTill), role: nil))
            .commit(decide: { teller, op in try teller.book(id: op, member: member, branch: branch, service: service, slot: start) })
        guard case .bookingMade(let booking) = issued.op!.op.body else { preconditionFailure("a booking issued \(issued.op!.op.body.kind)") }
        var result = try store.read { try self.bookingResult(BookingView(booking: booking, cancelled: false), $0) }
        result.op = issued.op!.id.description
        return result
    }

    /// The signed-in member cancels one of their bookings.
    public func cancelBooking(session token: String, id: String) throws -> BookingResult {
        let (card, member) = try memberOfSession(token)
        return try acting(as: Caller(actor: Actor(operatorID: card, till: Actor.memberTill), role: nil)).cancel(booking: id, member: member)
    }

    /// The signed-in member's bookings from today on.
    public func memberBookings(session token: String) throws -> [BookingResult] {
        let member = try activeCard(viewing: token).card.member
        let today = CardLife.dayNumber(Sales.day(wallMillis: clock())) * 10_000
        return try store.read { state in try state.bookings(member: member).filter { $0.booking.slot >= today }.map { try self.bookingResult($0, state) } }
    }

    // MARK: The branch's side (console)

    /// A branch's bookings of `day` (`YYYY-MM-DD`): an operator of a branch reads their own.
    public func bookings(branch: NodeID? = nil, day: String) throws -> BookingDay {
        try permit(.lookUp)
        let branch = branch ?? id
        try requireScope(branch, "the bookings")
        guard Sales.isDayShape(day) else { throw MMSError(.invalidArgument, "A day is YYYY-MM-DD.") }
        return try store.read { state in
            let views = try state.bookings(branch: branch, day: CardLife.dayNumber(day))
            let held = Dictionary(grouping: views.filter { !$0.cancelled }, by: \.booking.slot)
            return BookingDay(branch: branch.rawValue, day: day, bookings: try views.map { try self.bookingResult($0, state) },
                              overbooked: held.filter { $0.value.count > Bookings.perSlot }.keys.sorted().map(Bookings.text))
        }
    }

    /// The branch cancels a booking (the member could not come, say).
    public func cancelBooking(id: String) throws -> BookingResult {
        try permit(.lookUp)
        guard let view = try store.read({ try $0.booking(id) }) else { throw MMSError(.notFound, "There is no such booking.") }
        try requireScope(view.booking.branch, "the bookings")
        return try cancel(booking: id, member: nil)
    }

    private func cancel(booking id: String, member: String?) throws -> BookingResult {
        let issued = try commit(decide: { teller, _ in try teller.cancelBooking(id, member: member) })
        var result = try store.read { state in try self.bookingResult(try state.booking(id)!, state) }
        result.op = issued.op!.id.description
        return result
    }

    private func memberOfSession(_ token: String) throws -> (card: String, member: String) {
        let card = try activeCard(session: token)
        return (card.number, card.member)
    }

    private func bookingResult(_ view: BookingView, _ state: any StateReader) throws -> BookingResult {
        let b = view.booking
        return BookingResult(id: b.id, member: b.member, branch: b.branch.rawValue, service: b.service,
                             serviceName: try Catalogue.product(b.service, in: state)?.name ?? b.service, slot: Bookings.text(b.slot),
                             cancelled: view.cancelled, op: nil)
    }
}
