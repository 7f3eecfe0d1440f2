/// 充值赠送: a top-up may earn a bonus by head office's program. The bonus is its own balance
/// beside the principal (its own escrow account, so it can never be overspent either): stored
/// value spends the principal first and the bonus after it; what a refund or return gives back
/// goes to the bonus first, up to what that payment took from it; the bonus earns no points and
/// is never refunded in money — a returned card forfeits it.
extension Teller {
    /// The principal and bonus parts of `amount` paid from `member`'s stored value, each within
    /// this branch's rights. With `partial`, what this branch's rights cover, in the same order
    /// (no bonus while principal is left elsewhere); refused only if that is nothing.
    func spendStored(member: String, amount: Money, partial: Bool = false) throws -> (taken: Money, bonus: Money) {
        let principal = try state.escrow(Cell.storedValue(member: member))
        let bonus = try state.escrow(Cell.bonus(member: member))
        let (fromPrincipal, fromBonus) = Self.split(amount.fen, principal: principal.total)
        if partial {
            let principalHere = max(0, principal.rights(at: origin)), bonusHere = max(0, bonus.rights(at: origin))
            if principalHere < fromPrincipal {
                // Refused with the numbers when nothing of it is here; else the part that is.
                if principalHere == 0 { try requireRights(principal, fromPrincipal, code: .insufficientFunds, unit: Self.money) }
                return (Money(fen: principalHere), Money(fen: 0))
            }
            let extra = min(fromBonus, bonusHere)
            if fromPrincipal + extra == 0 { try requireRights(bonus, fromBonus, code: .insufficientFunds, unit: Self.money, what: "bonus") }
            return (Money(fen: fromPrincipal + extra), Money(fen: extra))
        }
        guard fromBonus <= max(0, bonus.total) else {
            throw MMSError(.insufficientFunds, "Not enough: the balance is \(Money(fen: max(0, principal.total))) and the bonus \(Money(fen: max(0, bonus.total))); \(amount) was asked.",
                           details: ["requested": amount.description, "balance": Money(fen: max(0, principal.total)).description,
                                     "bonus": Money(fen: max(0, bonus.total)).description])
        }
        if fromPrincipal > 0 { try requireRights(principal, fromPrincipal, code: .insufficientFunds, unit: Self.money) }
        if fromBonus > 0 { try requireRights(bonus, fromBonus, code: .insufficientFunds, unit: Self.money, what: "bonus") }
        return (amount, Money(fen: fromBonus))
    }

    /// The part of `amount` given back for stored value spent by op `spend` that returns to the
    /// bonus: what that op took from the bonus and has not yet given back, first.
    func bonusBack(of spend: OpID, amount: Money) throws -> Money {
        Money(fen: min(amount.fen, max(0, try state.escrow(Cell.refundableBonus(charge: spend)).rights(at: origin))))
    }

    /// The bonus head office's program gives a top-up of `amount` today.
    func topUpBonus(_ amount: Money) throws -> Money {
        let program = try state.program().program
        return program.bonuses.isEmpty ? Money(fen: 0) : program.bonus(forTopUp: amount, on: today)
    }

    static func money(_ fen: Int64) -> String { Money(fen: fen).description }

    /// The bonus that goes with `amount` of principal moved to another member: its share of the
    /// bonus, rounded down.
    public static func bonusShare(_ amount: Int64, principal: Int64, bonus: Int64) -> Int64 {
        guard principal > 0, bonus > 0 else { return 0 }
        let (product, overflow) = bonus.multipliedReportingOverflow(by: amount)
        return overflow ? bonus : min(bonus, product / principal)
    }

    /// The order stored value pays in: the principal first, then the bonus.
    public static func split(_ amount: Int64, principal: Int64) -> (principal: Int64, bonus: Int64) {
        let fromPrincipal = min(amount, max(0, principal))
        return (fromPrincipal, amount - fromPrincipal)
    }
}

extension Cell {
    /// On a payment's refundable account: the member who paid.
    public static let refundMember = "member"
}

extension StateReader {
    /// The member's bonus balance.
    public func bonus(of member: String) throws -> Money { Money(fen: max(0, try escrow(Cell.bonus(member: member)).total)) }
}
