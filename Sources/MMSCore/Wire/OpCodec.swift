import Foundation
import MMSCrypto
import SwiftProtobuf

/// Encodes ops to their stable binary form (protobuf `mms.wire.Op`) and decodes them strictly:
/// anything out of range, missing or unknown is `malformed_op`, never a half-built value.
public enum OpCodec {
    public static func encode(_ op: Op) -> [UInt8] {
        var w = Mms_Wire_Op()
        w.version = Op.formatVersion
        w.origin = op.id.origin.rawValue
        w.seq = op.id.seq
        w.hlc = op.hlc.packed
        w.prevHash = Data(op.prevHash.bytes)
        w.`operator` = op.actor.operatorID
        w.till = op.actor.till
        w.body = wireBody(op.body)
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return try! w.serializedBytes(options: options)
    }

    public static func decode(_ bytes: [UInt8]) throws -> Op {
        guard bytes.count <= Limits.maxOpBytes else {
            throw malformed("op is \(bytes.count) bytes, over the \(Limits.maxOpBytes)-byte limit")
        }
        let w: Mms_Wire_Op
        do { w = try Mms_Wire_Op(serializedBytes: bytes) } catch { throw malformed("not a valid op encoding") }
        guard w.version == Op.formatVersion else { throw malformed("op format version \(w.version) is not supported") }
        guard w.unknownFields.data.isEmpty else { throw malformed("op carries fields this version does not know") }
        let origin = try checked { try NodeID(w.origin) }
        guard w.seq >= 1 else { throw malformed("op seq must start at 1") }
        guard let prev = try? Digest32(bytes: Array(w.prevHash)) else { throw malformed("prev_hash must be 32 bytes") }
        guard let wireBody = w.body else { throw malformed("op has no body") }
        if !w.`operator`.isEmpty { try id(w.`operator`) }
        if !w.till.isEmpty, !Actor.pageTills.contains(w.till) { try id(w.till) }
        return Op(id: OpID(origin: origin, seq: w.seq), hlc: HLC(packed: w.hlc), prevHash: prev,
                  actor: Actor(operatorID: w.`operator`, till: w.till), body: try body(wireBody))
    }

    public static func encodeEnvelope(_ op: SignedOp) -> [UInt8] {
        var e = Mms_Wire_OpEnvelope()
        e.op = Data(op.bytes)
        e.signature = Data(op.signature)
        return try! e.serializedBytes()
    }

    /// Decodes an envelope and its op. The signature is not checked here: see `ChainVerifier`.
    public static func decodeEnvelope(_ bytes: [UInt8]) throws -> SignedOp {
        guard bytes.count <= Limits.maxOpBytes + 128 else { throw malformed("envelope over the size limit") }
        let e: Mms_Wire_OpEnvelope
        do { e = try Mms_Wire_OpEnvelope(serializedBytes: bytes) } catch { throw malformed("not a valid op envelope") }
        guard e.signature.count == SigningKey.signatureByteCount else { throw malformed("signature must be \(SigningKey.signatureByteCount) bytes") }
        let opBytes = Array(e.op)
        return SignedOp(op: try decode(opBytes), bytes: opBytes, signature: Array(e.signature))
    }

    // MARK: - Typed → wire

    private static func wireBody(_ body: OpBody) -> Mms_Wire_Op.OneOf_Body {
        switch body {
        case .memberAdded(let m):
            var w = Mms_Wire_MemberAdded()
            w.member = m.member
            w.sealedName = Data(m.sealedName); w.sealedPhone = Data(m.sealedPhone)
            w.sealedBirthday = Data(m.sealedBirthday); w.phoneIndex = Data(m.phoneIndex); w.referrer = m.referrer
            return .memberAdded(w)
        case .cardIssued(let c):
            var w = Mms_Wire_CardIssued()
            w.number = c.number; w.member = c.member; w.pinHash = c.pinHash
            w.type = switch c.type { case .stored: .stored; case .discount: .discount; case .punch: .punch }
            w.discountPercent = UInt32(c.discountPercent)
            w.punchAccount = c.punchAccount; w.punchUses = c.punchUses; w.replaces = c.replaces
            w.staff = c.staff; w.commissionFen = c.commission.fen
            w.product = c.product; w.expires = c.expires; w.feeFen = c.fee.fen; w.feeTender = c.feeTender?.rawValue ?? ""; w.noPoints = !c.earnsPoints
            w.firstDayCapFen = c.firstDayCap.fen; w.companion = c.companion
            return .cardIssued(w)
        case .cardReported(let card, let report):
            var w = Mms_Wire_CardReported()
            w.number = card
            w.report = report == .lost ? .lost : .blocked
            return .cardReported(w)
        case .pinFailed(let card):
            var w = Mms_Wire_PinFailed(); w.number = card
            return .pinFailed(w)
        case .pinUnlocked(let card, let observed):
            var w = Mms_Wire_PinUnlocked(); w.number = card
            w.observedFailures = Dictionary(uniqueKeysWithValues: observed.map { ($0.key.rawValue, $0.value) })
            return .pinUnlocked(w)
        case .topUp(let p):
            var w = Mms_Wire_TopUp(); w.member = p.member; w.card = p.card; w.amountFen = p.amount.fen
            w.tender = p.tender?.rawValue ?? ""; w.reference = p.reference; w.staff = p.staff; w.commissionFen = p.commission.fen
            w.extendsTo = p.extendsTo; w.bonusFen = p.bonus.fen
            return .topUp(w)
        case .charge(let c):
            var w = Mms_Wire_Charge(); w.member = c.member; w.card = c.card
            w.amountFen = c.amount.fen; w.pointsEarned = c.pointsEarned.value; w.firstDayFen = c.firstDay.fen; w.bonusFen = c.bonus.fen
            return .charge(w)
        case .refund(let r):
            var w = Mms_Wire_Refund(); w.member = r.member; w.card = r.card; w.amountFen = r.amount.fen
            w.chargeOrigin = r.charge.origin.rawValue; w.chargeSeq = r.charge.seq; w.bonusFen = r.bonus.fen
            return .refund(w)
        case .pointsRedeemed(let p):
            var w = Mms_Wire_PointsRedeemed(); w.member = p.member; w.card = p.card; w.points = p.points.value; w.gift = p.gift; w.sku = p.sku
            w.lots = lots(p.lots)
            return .pointsRedeemed(w)
        case .punchUsed(let p):
            var w = Mms_Wire_PunchUsed(); w.member = p.member; w.card = p.card; w.account = p.account; w.uses = p.uses; w.service = p.service
            return .punchUsed(w)
        case .rightsTransferred(let t):
            var w = Mms_Wire_RightsTransferred(); w.account = t.account; w.toNode = t.to.rawValue; w.amount = t.amount
            return .rightsTransferred(w)
        case .settingSet(let key, let value):
            var w = Mms_Wire_SettingSet(); w.key = key; w.value = value
            return .settingSet(w)
        case .couponIssued(let c):
            var w = Mms_Wire_CouponIssued(); w.code = c.code; w.member = c.member; w.valueFen = c.value.fen; w.title = c.title
            w.template = c.template; w.minSpendFen = c.minSpend.fen; w.validUntil = c.validUntil; w.campaign = c.campaign
            w.holder = c.holder?.rawValue ?? ""
            return .couponIssued(w)
        case .pointsAwarded(let member, let points, let campaign, let holder):
            var w = Mms_Wire_PointsAwarded(); w.member = member; w.points = points.value; w.campaign = campaign; w.holder = holder.rawValue
            return .pointsAwarded(w)
        case .pointsTransferred(let t):
            var w = Mms_Wire_PointsTransferred(); w.fromMember = t.fromMember; w.fromCard = t.fromCard; w.toMember = t.toMember; w.points = t.points.value
            w.lots = lots(t.lots)
            return .pointsTransferred(w)
        case .couponTransferred(let code, let from, let to):
            var w = Mms_Wire_CouponTransferred(); w.code = code; w.fromMember = from; w.toMember = to
            return .couponTransferred(w)
        case .messageQueued(let m):
            var w = Mms_Wire_MessageQueued(); w.key = m.key; w.member = m.member; w.kind = m.kind.rawValue; w.fields = m.fields
            return .messageQueued(w)
        case .consentSet(let member, let messages):
            var w = Mms_Wire_ConsentSet(); w.member = member; w.messages = messages
            return .consentSet(w)
        case .exportMade(let what, let rows, let personalData):
            var w = Mms_Wire_ExportMade(); w.what = what; w.rows = rows; w.personalData = personalData
            return .exportMade(w)
        case .bookingMade(let b):
            var w = Mms_Wire_BookingMade(); w.id = b.id; w.member = b.member; w.branch = b.branch.rawValue; w.service = b.service; w.slot = b.slot
            return .bookingMade(w)
        case .bookingCancelled(let id, let member):
            var w = Mms_Wire_BookingCancelled(); w.id = id; w.member = member
            return .bookingCancelled(w)
        case .memberFieldSet(let member, let field, let sealedValue):
            var w = Mms_Wire_MemberFieldSet(); w.member = member; w.field = field; w.sealedValue = Data(sealedValue)
            return .memberFieldSet(w)
        case .memberPhotoSet(let member, let digest, let size):
            var w = Mms_Wire_MemberPhotoSet(); w.member = member; w.digest = Data(digest.bytes); w.size = UInt32(size)
            return .memberPhotoSet(w)
        case .couponRedeemed(let code, let member):
            var w = Mms_Wire_CouponRedeemed(); w.code = code; w.member = member
            return .couponRedeemed(w)
        case .operatorAdded(let o):
            var w = Mms_Wire_OperatorAdded(); w.id = o.id; w.name = o.name; w.role = o.role.rawValue; w.branch = o.branch.rawValue
            w.passwordHash = o.passwordHash
            return .operatorAdded(w)
        case .operatorDisabled(let id):
            var w = Mms_Wire_OperatorDisabled(); w.id = id
            return .operatorDisabled(w)
        case .operatorPasswordSet(let id, let hash, let observed):
            var w = Mms_Wire_OperatorPasswordSet(); w.id = id; w.passwordHash = hash
            w.observedFailures = Dictionary(uniqueKeysWithValues: observed.map { ($0.key.rawValue, $0.value) })
            return .operatorPasswordSet(w)
        case .loginFailed(let id):
            var w = Mms_Wire_LoginFailed(); w.id = id
            return .loginFailed(w)
        case .tillRegistered(let name, let hash):
            var w = Mms_Wire_TillRegistered(); w.name = name; w.tokenHash = Data(hash)
            return .tillRegistered(w)
        case .tillRevoked(let name):
            var w = Mms_Wire_TillRevoked(); w.name = name
            return .tillRevoked(w)
        case .productSet(let p):
            var w = Mms_Wire_ProductSet(); w.sku = p.sku
            if let v = p.name { w.name = v }
            if let v = p.kind { w.kind = v.rawValue }
            if let v = p.category { w.category = v }
            if let v = p.price { w.priceFen = v.fen }
            if let v = p.barcode { w.barcode = v }
            if let v = p.unit { w.unit = v }
            if let v = p.active { w.active = v }
            if let v = p.commission { w.commission = v.description }
            return .productSet(w)
        case .priceSet(let sku, let branch, let price):
            var w = Mms_Wire_PriceSet(); w.sku = sku; w.branch = branch.rawValue
            if let price { w.priceFen = price.fen }
            return .priceSet(w)
        case .sale(let s):
            var w = Mms_Wire_Sale(); w.member = s.member; w.card = s.card; w.staff = s.staff
            w.lines = s.lines.map { l in
                var wl = Mms_Wire_SaleLine(); wl.sku = l.sku; wl.quantity = l.quantity; wl.unitPriceFen = l.unitPrice.fen; wl.discountFen = l.discount.fen
                wl.amountFen = l.amount.fen; wl.commissionFen = l.commission.fen; wl.goods = l.goods; wl.punch = l.punch
                return wl
            }
            w.tenders = s.tenders.map(tender)
            w.totalFen = s.total.fen; w.changeFen = s.change.fen; w.pointsEarned = s.pointsEarned.value; w.firstDayFen = s.firstDay.fen
            return .sale(w)
        case .saleReturned(let r):
            var w = Mms_Wire_SaleReturned(); w.saleOrigin = r.sale.origin.rawValue; w.saleSeq = r.sale.seq
            w.member = r.member; w.staff = r.staff; w.month = r.month; w.points = r.points.value
            w.lines = r.lines.map { l in
                var wl = Mms_Wire_ReturnLine(); wl.index = UInt32(l.index); wl.sku = l.sku; wl.quantity = l.quantity
                wl.amountFen = l.amount.fen; wl.commissionFen = l.commission.fen; wl.goods = l.goods
                return wl
            }
            w.refunds = r.refunds.map(tender)
            return .saleReturned(w)
        case .tillClosed(let c):
            var w = Mms_Wire_TillClosed(); w.till = c.till; w.day = c.day; w.expectedFen = c.expected.fen; w.countedFen = c.counted.fen
            return .tillClosed(w)
        case .balanceTransferred(let t):
            var w = Mms_Wire_BalanceTransferred(); w.fromMember = t.fromMember; w.fromCard = t.fromCard; w.toMember = t.toMember; w.toCard = t.toCard
            w.amountFen = t.amount.fen; w.bonusFen = t.bonus.fen
            return .balanceTransferred(w)
        case .pinChanged(let card, let pinHash):
            var w = Mms_Wire_PinChanged(); w.card = card; w.pinHash = pinHash
            return .pinChanged(w)
        case .cardReturned(let r):
            var w = Mms_Wire_CardReturned(); w.card = r.card; w.member = r.member; w.refundedFen = r.refunded.fen; w.tender = r.tender.rawValue
            w.bonusForfeitedFen = r.bonusForfeited.fen
            return .cardReturned(w)
        case .cardRenewed(let card, let expires):
            var w = Mms_Wire_CardRenewed(); w.card = card; w.expires = expires
            return .cardRenewed(w)
        case .programSet(let version, let document):
            var w = Mms_Wire_ProgramSet(); w.version = version; w.document = document
            return .programSet(w)
        case .supplierInvoiced(let i):
            var w = Mms_Wire_SupplierInvoiced(); w.supplier = i.supplier; w.number = i.number; w.amountFen = i.amount.fen; w.due = i.due; w.note = i.note
            return .supplierInvoiced(w)
        case .supplierPaid(let p):
            var w = Mms_Wire_SupplierPaid(); w.supplier = p.supplier; w.tender = p.tender.rawValue; w.reference = p.reference
            w.allocations = p.allocations.map { a in var wa = Mms_Wire_SupplierPaid.Allocation(); wa.invoice = a.invoice; wa.amountFen = a.amount.fen; return wa }
            return .supplierPaid(w)
        case .expenseAdded(let category, let amount, let note):
            var w = Mms_Wire_ExpenseAdded(); w.category = category; w.amountFen = amount.fen; w.note = note
            return .expenseAdded(w)
        case .stockReceived(let m): return .stockReceived(stockMove(m))
        case .stockReturned(let m): return .stockReturned(stockMove(m))
        case .stockTransferred(let t):
            var w = Mms_Wire_StockTransferred(); w.sku = t.sku; w.quantity = t.quantity; w.toNode = t.to.rawValue
            return .stockTransferred(w)
        case .transferArrived(let transfer, let sku, let quantity):
            var w = Mms_Wire_TransferArrived(); w.transferOrigin = transfer.origin.rawValue; w.transferSeq = transfer.seq; w.sku = sku; w.quantity = quantity
            return .transferArrived(w)
        case .stockCounted(let sku, let counted, let variance):
            var w = Mms_Wire_StockCounted(); w.sku = sku; w.counted = counted; w.variance = variance
            return .stockCounted(w)
        case .stockThreshold(let sku, let below):
            var w = Mms_Wire_StockThreshold(); w.sku = sku; w.below = below
            return .stockThreshold(w)
        }
    }

    // MARK: - Wire → typed, validated

    private static func body(_ w: Mms_Wire_Op.OneOf_Body) throws -> OpBody {
        switch w {
        case .memberAdded(let m):
            try id(m.member)
            for field in [m.sealedName, m.sealedPhone, m.sealedBirthday] where field.count > Limits.maxTextLength + 64 {
                throw malformed("sealed profile field too long")
            }
            guard m.phoneIndex.count == 16 else { throw malformed("phone index must be 16 bytes") }
            var added = MemberAdded(member: m.member, sealedName: Array(m.sealedName), sealedPhone: Array(m.sealedPhone),
                                    sealedBirthday: Array(m.sealedBirthday), phoneIndex: Array(m.phoneIndex))
            if !m.referrer.isEmpty {
                try id(m.referrer)
                guard m.referrer != m.member else { throw malformed("a member refers themselves") }
                added.referrer = m.referrer
            }
            return .memberAdded(added)
        case .cardIssued(let c):
            try id(c.number); try id(c.member)
            let type: CardType
            switch c.type {
            case .stored: type = .stored
            case .discount: type = .discount
            case .punch: type = .punch
            default: throw malformed("unknown card type")
            }
            guard c.pinHash.utf8.count <= 256 else { throw malformed("pin hash too long") }
            guard type == .discount ? (1...100).contains(c.discountPercent) : type == .stored ? c.discountPercent <= 100 : c.discountPercent == 0 else {
                throw malformed("discount percent out of range")
            }
            guard type == .punch ? (0...Limits.maxPunchUses).contains(c.punchUses) && !c.punchAccount.isEmpty : c.punchUses == 0
            else { throw malformed("punch uses out of range") }
            if !c.punchAccount.isEmpty { try id(c.punchAccount) }
            if !c.replaces.isEmpty { try id(c.replaces) }
            if !c.staff.isEmpty { try id(c.staff) }
            guard (0...Limits.maxAmount.fen).contains(c.commissionFen), c.commissionFen == 0 || !c.staff.isEmpty else { throw malformed("card commission") }
            var issued = CardIssued(number: c.number, member: c.member, type: type, pinHash: c.pinHash,
                                    discountPercent: Int64(c.discountPercent), punchAccount: c.punchAccount,
                                    punchUses: c.punchUses, replaces: c.replaces)
            issued.staff = c.staff; issued.commission = Money(fen: c.commissionFen)
            let feeTender = c.feeTender.isEmpty ? nil : TenderKind(rawValue: c.feeTender)
            guard c.feeTender.isEmpty || feeTender.map(TenderKind.money.contains) == true, (0...Limits.maxAmount.fen).contains(c.feeFen),
                  c.expires == 0 || CardLife.isDayNumber(c.expires) else { throw malformed("card product fields") }
            if !c.product.isEmpty { try id(c.product) }
            issued.product = c.product; issued.expires = c.expires; issued.fee = Money(fen: c.feeFen); issued.feeTender = feeTender
            issued.earnsPoints = !c.noPoints
            guard (0...Limits.maxAmount.fen).contains(c.firstDayCapFen) else { throw malformed("first-day cap") }
            issued.firstDayCap = Money(fen: c.firstDayCapFen)
            guard !c.companion || issued.type == .discount else { throw malformed("a companion card is a discount card") }
            issued.companion = c.companion
            return .cardIssued(issued)
        case .cardReported(let r):
            try id(r.number)
            switch r.report {
            case .lost: return .cardReported(card: r.number, report: .lost)
            case .blocked: return .cardReported(card: r.number, report: .blocked)
            default: throw malformed("unknown card report")
            }
        case .pinFailed(let p):
            try id(p.number)
            return .pinFailed(card: p.number)
        case .pinUnlocked(let p):
            try id(p.number)
            return .pinUnlocked(card: p.number, observedFailures: try observedCounts(p.observedFailures))
        case .topUp(let t):
            try id(t.member); try id(t.card)
            let tender = t.tender.isEmpty ? nil : TenderKind(rawValue: t.tender)
            guard t.tender.isEmpty || tender.map(TenderKind.money.contains) == true, t.reference.count <= 60 else { throw malformed("top-up tender") }
            if !t.staff.isEmpty { try id(t.staff) }
            guard (0...Limits.maxAmount.fen).contains(t.commissionFen), t.commissionFen == 0 || !t.staff.isEmpty else { throw malformed("top-up commission") }
            guard t.extendsTo == 0 || CardLife.isDayNumber(t.extendsTo) else { throw malformed("top-up extension") }
            var payment = Payment(member: t.member, card: t.card, amount: try money(t.amountFen), tender: tender, reference: t.reference,
                                  staff: t.staff, commission: Money(fen: t.commissionFen))
            payment.extendsTo = t.extendsTo
            guard (0...t.amountFen).contains(t.bonusFen) else { throw malformed("top-up bonus") }
            payment.bonus = Money(fen: t.bonusFen)
            return .topUp(payment)
        case .charge(let c):
            try id(c.member); try id(c.card)
            var charge = Charge(member: c.member, card: c.card, amount: try money(c.amountFen), pointsEarned: try points(c.pointsEarned, allowZero: true))
            guard (0...c.amountFen).contains(c.firstDayFen) else { throw malformed("first-day spend") }
            charge.firstDay = Money(fen: c.firstDayFen)
            guard (0...c.amountFen).contains(c.bonusFen) else { throw malformed("charge bonus") }
            charge.bonus = Money(fen: c.bonusFen)
            return .charge(charge)
        case .refund(let r):
            try id(r.member); try id(r.card)
            let origin = try checked { try NodeID(r.chargeOrigin) }
            guard r.chargeSeq >= 1 else { throw malformed("refund names no charge") }
            var refund = Refund(member: r.member, card: r.card, amount: try money(r.amountFen), charge: OpID(origin: origin, seq: r.chargeSeq))
            guard (0...r.amountFen).contains(r.bonusFen) else { throw malformed("refund bonus") }
            refund.bonus = Money(fen: r.bonusFen)
            return .refund(refund)
        case .pointsRedeemed(let p):
            try id(p.member); try id(p.card)
            var redeemed = PointsRedeemed(member: p.member, card: p.card, points: try points(p.points, allowZero: false))
            if !p.gift.isEmpty { try id(p.gift) }
            if !p.sku.isEmpty { try checked { try Catalogue.validateSKU(p.sku) } }
            guard p.sku.isEmpty || !p.gift.isEmpty else { throw malformed("a gift's stock without the gift") }
            redeemed.gift = p.gift; redeemed.sku = p.sku
            redeemed.lots = try lots(p.lots, adding: redeemed.points.value)
            return .pointsRedeemed(redeemed)
        case .punchUsed(let p):
            try id(p.member); try id(p.card); try id(p.account)
            guard (1...Limits.maxPunchUses).contains(p.uses) else { throw malformed("punch uses out of range") }
            var used = PunchUsed(member: p.member, card: p.card, account: p.account, uses: p.uses)
            if !p.service.isEmpty { try checked { try Catalogue.validateSKU(p.service) } }
            used.service = p.service
            return .punchUsed(used)
        case .rightsTransferred(let t):
            try id(t.account)
            guard t.amount > 0, t.amount <= Limits.maxAmount.fen else { throw malformed("transfer amount out of range") }
            return .rightsTransferred(RightsTransferred(account: t.account, to: try checked { try NodeID(t.toNode) }, amount: t.amount))
        case .settingSet(let s):
            guard Settings.isKnown(s.key), s.value.utf8.count <= Limits.maxTextLength else { throw malformed("unknown setting \(s.key.prefix(40))") }
            return .settingSet(key: s.key, value: s.value)
        case .couponIssued(let c):
            try id(c.code); try id(c.member)
            guard c.valueFen >= 0, c.valueFen <= Limits.maxAmount.fen else { throw malformed("coupon value out of range") }
            guard c.title.utf8.count <= Limits.maxTextLength else { throw malformed("coupon title too long") }
            guard (0...Limits.maxAmount.fen).contains(c.minSpendFen), c.validUntil == 0 || CardLife.isDayNumber(c.validUntil) else { throw malformed("coupon terms") }
            if !c.template.isEmpty { try id(c.template) }
            if !c.campaign.isEmpty { try id(c.campaign) }
            var issued = CouponIssued(code: c.code, member: c.member, value: Money(fen: c.valueFen), title: c.title)
            issued.template = c.template; issued.minSpend = Money(fen: c.minSpendFen); issued.validUntil = c.validUntil; issued.campaign = c.campaign
            issued.holder = c.holder.isEmpty ? nil : try checked { try NodeID(c.holder) }
            return .couponIssued(issued)
        case .pointsAwarded(let w):
            try id(w.member); try id(w.campaign)
            return .pointsAwarded(member: w.member, points: try points(w.points, allowZero: false), campaign: w.campaign,
                                  holder: try checked { try NodeID(w.holder) })
        case .pointsTransferred(let w):
            try id(w.fromMember); try id(w.fromCard); try id(w.toMember)
            guard w.fromMember != w.toMember else { throw malformed("points to the same member") }
            var transfer = PointsTransfer(fromMember: w.fromMember, fromCard: w.fromCard, toMember: w.toMember, points: try points(w.points, allowZero: false))
            transfer.lots = try lots(w.lots, adding: transfer.points.value)
            return .pointsTransferred(transfer)
        case .couponTransferred(let w):
            try id(w.code); try id(w.fromMember); try id(w.toMember)
            guard w.fromMember != w.toMember else { throw malformed("coupon to the same member") }
            return .couponTransferred(code: w.code, from: w.fromMember, to: w.toMember)
        case .messageQueued(let w):
            try id(w.key); try id(w.member)
            guard let kind = MessageKind(rawValue: w.kind), w.fields.count <= MessageKind.fields.count,
                  w.fields.allSatisfy({ MessageKind.fields.contains($0.key) && $0.key != "name" && $0.value.count <= Messages.maxFieldLength }) else {
                throw malformed("message kind or fields")
            }
            return .messageQueued(MessageQueued(key: w.key, member: w.member, kind: kind, fields: w.fields))
        case .consentSet(let w):
            try id(w.member)
            return .consentSet(member: w.member, messages: w.messages)
        case .exportMade(let w):
            guard ["members", "sales", "ops"].contains(w.what), w.rows >= 0 else { throw malformed("export") }
            return .exportMade(what: w.what, rows: w.rows, personalData: w.personalData)
        case .bookingMade(let w):
            try id(w.id); try id(w.member); try id(w.service)
            guard Bookings.isSlot(w.slot) else { throw malformed("booking slot") }
            return .bookingMade(Booking(id: w.id, member: w.member, branch: try checked { try NodeID(w.branch) }, service: w.service, slot: w.slot))
        case .bookingCancelled(let w):
            try id(w.id); try id(w.member)
            return .bookingCancelled(id: w.id, member: w.member)
        case .memberFieldSet(let w):
            try id(w.member)
            guard MemberFields.isName(w.field), w.sealedValue.count <= MemberFields.maxValueBytes + 64 else { throw malformed("member field") }
            return .memberFieldSet(member: w.member, field: w.field, sealedValue: Array(w.sealedValue))
        case .memberPhotoSet(let w):
            try id(w.member)
            guard let digest = try? Digest32(bytes: Array(w.digest)), (1...MemberPhotos.maxBytes).contains(Int(w.size)) else { throw malformed("member photo") }
            return .memberPhotoSet(member: w.member, digest: digest, size: Int64(w.size))
        case .couponRedeemed(let c):
            try id(c.code); try id(c.member)
            return .couponRedeemed(code: c.code, member: c.member)
        case .operatorAdded(let o):
            try id(o.id)
            guard let role = OperatorRole(rawValue: o.role) else { throw malformed("unknown operator role") }
            guard !o.name.isEmpty, o.name.utf8.count <= Limits.maxTextLength * 4 else { throw malformed("operator name out of range") }
            guard !o.passwordHash.isEmpty, o.passwordHash.utf8.count <= 256 else { throw malformed("password hash out of range") }
            return .operatorAdded(OperatorAdded(id: o.id, name: o.name, role: role, branch: try checked { try NodeID(o.branch) },
                                                passwordHash: o.passwordHash))
        case .operatorDisabled(let o):
            try id(o.id)
            return .operatorDisabled(id: o.id)
        case .operatorPasswordSet(let o):
            try id(o.id)
            guard !o.passwordHash.isEmpty, o.passwordHash.utf8.count <= 256 else { throw malformed("password hash out of range") }
            return .operatorPasswordSet(id: o.id, passwordHash: o.passwordHash, observedFailures: try observedCounts(o.observedFailures))
        case .loginFailed(let o):
            try id(o.id)
            return .loginFailed(id: o.id)
        case .tillRegistered(let t):
            try id(t.name)
            guard t.tokenHash.count == 32 else { throw malformed("till token hash must be 32 bytes") }
            return .tillRegistered(name: t.name, tokenHash: Array(t.tokenHash))
        case .tillRevoked(let t):
            try id(t.name)
            return .tillRevoked(name: t.name)
        case .productSet(let w):
            var p = ProductSet(sku: w.sku)
            if w.hasName { p.name = w.name }
            if w.hasKind {
                guard let kind = ProductKind(rawValue: w.kind) else { throw malformed("unknown product kind") }
                p.kind = kind
            }
            if w.hasCategory { p.category = w.category }
            if w.hasPriceFen {
                guard w.priceFen >= 0 else { throw malformed("negative price") }
                p.price = Money(fen: w.priceFen)
            }
            if w.hasBarcode { p.barcode = w.barcode }
            if w.hasUnit { p.unit = w.unit }
            if w.hasActive { p.active = w.active }
            if w.hasCommission { p.commission = try checked { try CommissionRule(parsing: w.commission) } }
            try checked { try Catalogue.validate(p, isNew: false) }
            return .productSet(p)
        case .sale(let w): return .sale(try sale(w))
        case .saleReturned(let w):
            guard (1...Sales.maxLines).contains(w.lines.count), w.refunds.count <= TenderKind.allCases.count, w.saleSeq > 0,
                  Sales.isMonth(w.month), w.points >= 0 else { throw malformed("sale return out of range") }
            let lines = try w.lines.map { l -> SaleReturn.Line in
                if !l.sku.isEmpty { try checked { try Catalogue.validateSKU(l.sku) } }
                guard Int(l.index) < Sales.maxLines, (1...Sales.maxQuantityPerLine).contains(l.quantity),
                      (0...Limits.maxAmount.fen).contains(l.amountFen), (0...Limits.maxAmount.fen).contains(l.commissionFen) else { throw malformed("return line out of range") }
                return .init(index: Int(l.index), sku: l.sku, quantity: l.quantity, amount: Money(fen: l.amountFen), commission: Money(fen: l.commissionFen), goods: l.goods)
            }
            let refunds = try w.refunds.map { t -> Tender in
                guard (1...Limits.maxAmount.fen).contains(t.amountFen) else { throw malformed("return tender") }
                return try tender(t, returned: true)
            }
            guard refunds.map(\.amount.fen).reduce(0, +) == lines.map(\.amount.fen).reduce(0, +) else { throw malformed("return tenders do not add up") }
            return .saleReturned(SaleReturn(sale: OpID(origin: try checked { try NodeID(w.saleOrigin) }, seq: w.saleSeq), member: w.member,
                                            staff: w.staff, month: w.month, lines: lines, refunds: refunds, points: Points(w.points)))
        case .tillClosed(let w):
            try id(w.till)
            guard Sales.isDayShape(w.day), w.expectedFen.magnitude <= UInt64(Limits.maxAmount.fen) * 1_000_000, (0...Limits.maxAmount.fen * 100).contains(w.countedFen) else {
                throw malformed("till close out of range")
            }
            return .tillClosed(TillClose(till: w.till, day: w.day, expected: Money(fen: w.expectedFen), counted: Money(fen: w.countedFen),
                                         difference: w.countedFen - w.expectedFen))
        case .balanceTransferred(let w):
            try id(w.fromMember); try id(w.fromCard); try id(w.toMember); try id(w.toCard)
            guard w.fromMember != w.toMember else { throw malformed("transfer to the same member") }
            var transfer = BalanceTransfer(fromMember: w.fromMember, fromCard: w.fromCard, toMember: w.toMember, toCard: w.toCard, amount: try money(w.amountFen))
            guard (0...Limits.maxAmount.fen).contains(w.bonusFen) else { throw malformed("transfer bonus") }
            transfer.bonus = Money(fen: w.bonusFen)
            return .balanceTransferred(transfer)
        case .pinChanged(let w):
            try id(w.card)
            guard (1...256).contains(w.pinHash.utf8.count) else { throw malformed("pin hash empty or too long") }
            return .pinChanged(card: w.card, pinHash: w.pinHash)
        case .cardReturned(let w):
            try id(w.card); try id(w.member)
            guard let tender = TenderKind(rawValue: w.tender), TenderKind.money.contains(tender), (0...Limits.maxAmount.fen * 1_000).contains(w.refundedFen) else {
                throw malformed("card return")
            }
            guard (0...Limits.maxAmount.fen * 1_000).contains(w.bonusForfeitedFen) else { throw malformed("card return bonus") }
            var returned = CardReturn(card: w.card, member: w.member, refunded: Money(fen: w.refundedFen), tender: tender)
            returned.bonusForfeited = Money(fen: w.bonusForfeitedFen)
            return .cardReturned(returned)
        case .cardRenewed(let w):
            try id(w.card)
            guard CardLife.isDayNumber(w.expires) else { throw malformed("renewal day") }
            return .cardRenewed(card: w.card, expires: w.expires)
        case .programSet(let w):
            guard w.version >= 1, w.document.utf8.count <= Program.maxBytes else { throw malformed("program version or size") }
            // A replica takes only a program it can apply: one that decodes and holds together.
            try checked { try Program.decode(json: w.document).validate() }
            return .programSet(version: w.version, document: w.document)
        case .supplierInvoiced(let w):
            guard (1...Limits.maxAmount.fen).contains(w.amountFen), w.due.isEmpty || Sales.isDayShape(w.due) else { throw malformed("supplier invoice out of range") }
            try checked {
                try Catalogue.validateText(w.supplier, "supplier", max: Payables.maxSupplierLength)
                try Catalogue.validateText(w.number, "invoice number", max: Payables.maxInvoiceLength)
                try Catalogue.validateText(w.note, "note", max: Books.maxNoteLength, allowEmpty: true)
            }
            return .supplierInvoiced(SupplierInvoice(supplier: w.supplier, number: w.number, amount: Money(fen: w.amountFen), due: w.due, note: w.note))
        case .supplierPaid(let w):
            guard let tender = TenderKind(rawValue: w.tender), TenderKind.money.contains(tender), (1...Payables.maxAllocations).contains(w.allocations.count) else {
                throw malformed("supplier payment tender or allocations")
            }
            let allocations = try w.allocations.map { a -> SupplierPayment.Allocation in
                guard (1...Limits.maxAmount.fen).contains(a.amountFen) else { throw malformed("supplier payment amount out of range") }
                try checked { try Catalogue.validateText(a.invoice, "invoice number", max: Payables.maxInvoiceLength) }
                return .init(invoice: a.invoice, amount: Money(fen: a.amountFen))
            }
            try checked {
                try Catalogue.validateText(w.supplier, "supplier", max: Payables.maxSupplierLength)
                try Catalogue.validateText(w.reference, "reference", max: 60, allowEmpty: true)
            }
            return .supplierPaid(SupplierPayment(supplier: w.supplier, allocations: allocations, tender: tender, reference: w.reference))
        case .expenseAdded(let w):
            guard (1...Limits.maxAmount.fen).contains(w.amountFen) else { throw malformed("expense amount out of range") }
            try checked {
                try Catalogue.validateText(w.category, "category", max: Books.maxCategoryLength)
                try Catalogue.validateText(w.note, "note", max: Books.maxNoteLength, allowEmpty: true)
            }
            return .expenseAdded(category: w.category, amount: Money(fen: w.amountFen), note: w.note)
        case .stockReceived(let w): return .stockReceived(try stockMove(w))
        case .stockReturned(let w): return .stockReturned(try stockMove(w))
        case .stockTransferred(let w):
            try checked { try Catalogue.validateSKU(w.sku); try Stock.validateQuantity(w.quantity) }
            return .stockTransferred(StockTransfer(sku: w.sku, quantity: w.quantity, to: try checked { try NodeID(w.toNode) }))
        case .transferArrived(let w):
            try checked { try Catalogue.validateSKU(w.sku); try Stock.validateQuantity(w.quantity) }
            guard w.transferSeq > 0 else { throw malformed("transfer seq must be positive") }
            return .transferArrived(transfer: OpID(origin: try checked { try NodeID(w.transferOrigin) }, seq: w.transferSeq), sku: w.sku, quantity: w.quantity)
        case .stockCounted(let w):
            try checked { try Catalogue.validateSKU(w.sku); try Stock.validateQuantity(w.counted, allowZero: true) }
            guard w.variance.magnitude <= UInt64(2 * Stock.maxQuantity) * 1_000 else { throw malformed("variance out of range") }
            return .stockCounted(sku: w.sku, counted: w.counted, variance: w.variance)
        case .stockThreshold(let w):
            try checked { try Catalogue.validateSKU(w.sku); try Stock.validateQuantity(w.below, allowZero: true) }
            return .stockThreshold(sku: w.sku, below: w.below)
        case .priceSet(let w):
            try checked { try Catalogue.validateSKU(w.sku) }
            guard !w.hasPriceFen || (0...Limits.maxAmount.fen).contains(w.priceFen) else { throw malformed("branch price out of range") }
            return .priceSet(sku: w.sku, branch: try checked { try NodeID(w.branch) }, price: w.hasPriceFen ? Money(fen: w.priceFen) : nil)
        }
    }

    /// Failure counts per origin that an unlock or a new password covers.
    private static func observedCounts(_ wire: [String: Int64]) throws -> [NodeID: Int64] {
        guard wire.count <= 1_024 else { throw malformed("too many origins in an unlock") }
        var observed: [NodeID: Int64] = [:]
        for (origin, count) in wire {
            guard count >= 0 else { throw malformed("negative failure count") }
            observed[try checked { try NodeID(origin) }] = count
        }
        return observed
    }

    /// A sale from the wire, with its arithmetic checked: the lines sum to the total, the
    /// tenders to the total plus the change, and only cash gives change.
    private static func sale(_ w: Mms_Wire_Sale) throws -> Sale {
        guard (1...Sales.maxLines).contains(w.lines.count), (1...Sales.maxTenders).contains(w.tenders.count) else { throw malformed("sale line or tender count out of range") }
        func fen(_ v: Int64) throws -> Money {
            guard (0...Limits.maxAmount.fen).contains(v) else { throw malformed("sale amount out of range") }
            return Money(fen: v)
        }
        let lines = try w.lines.map { l -> SaleLine in
            // An amount line (no SKU) is one unit of a service: nothing leaves the shelf.
            if l.sku.isEmpty { guard l.quantity == 1, !l.goods else { throw malformed("amount line") } } else { try checked { try Catalogue.validateSKU(l.sku) } }
            guard (1...Sales.maxQuantityPerLine).contains(l.quantity) else { throw malformed("sale quantity out of range") }
            var line = SaleLine(sku: l.sku, quantity: l.quantity, unitPrice: try fen(l.unitPriceFen), discount: try fen(l.discountFen),
                                amount: try fen(l.amountFen), commission: try fen(l.commissionFen), goods: l.goods)
            // Punch uses pay services, never goods.
            guard !l.punch || (!l.goods && !l.sku.isEmpty) else { throw malformed("punch line") }
            line.punch = l.punch
            guard line.unitPrice.fen.multipliedReportingOverflow(by: line.quantity).partialValue == line.amount.fen + line.discount.fen else { throw malformed("sale line does not add up") }
            return line
        }
        let tenders = try w.tenders.map { t -> Tender in
            guard t.amountFen > 0 else { throw malformed("empty tender") }
            _ = try fen(t.amountFen)
            return try tender(t, returned: false)
        }
        guard tenders.filter({ $0.kind == .coupon }).count <= 1, tenders.filter({ $0.kind == .points }).count <= 1, tenders.filter({ $0.kind == .punch }).count <= 1,
              !tenders.contains(where: { TenderKind.members.contains($0.kind) }) || !w.member.isEmpty else {
            throw malformed("coupon, points or punch tender")
        }
        // A punch tender pays exactly the lines marked as its own: a use a unit.
        let punched = lines.filter(\.punch)
        if let punch = tenders.first(where: { $0.kind == .punch }) {
            guard punch.units == punched.map(\.quantity).reduce(0, +), punch.amount.fen == punched.map(\.amount.fen).reduce(0, +) else { throw malformed("punch tender") }
        } else {
            guard punched.isEmpty else { throw malformed("punch lines without a punch tender") }
        }
        let total = try fen(w.totalFen), change = try fen(w.changeFen)
        guard lines.map(\.amount.fen).reduce(0, +) == total.fen, tenders.map(\.amount.fen).reduce(0, +) == total.fen + change.fen,
              change.fen == 0 || tenders.contains(where: { $0.kind == .cash }) else { throw malformed("sale tenders do not add up") }
        guard w.pointsEarned >= 0, w.pointsEarned <= Limits.maxPoints.value else { throw malformed("sale points out of range") }
        if !w.member.isEmpty || !w.card.isEmpty { try id(w.member); try id(w.card) }
        guard w.member.isEmpty == w.card.isEmpty, !tenders.contains(where: { $0.kind == .stored }) || !w.member.isEmpty else { throw malformed("sale member and card") }
        var sale = Sale(member: w.member, card: w.card, staff: w.staff, lines: lines, tenders: tenders, total: total, change: change,
                        pointsEarned: Points(w.pointsEarned))
        guard (0...sale.stored.fen).contains(w.firstDayFen) else { throw malformed("first-day spend") }
        sale.firstDay = Money(fen: w.firstDayFen)
        return sale
    }

    private static func tender(_ t: Tender) -> Mms_Wire_Tender {
        var w = Mms_Wire_Tender(); w.kind = t.kind.rawValue; w.amountFen = t.amount.fen; w.reference = t.reference; w.units = t.units
        w.bonusFen = t.bonus.fen; w.lots = lots(t.lots)
        return w
    }

    private static func lots(_ lots: [LotPoints]) -> [Mms_Wire_PointsLot] {
        lots.map { var w = Mms_Wire_PointsLot(); w.year = Int32($0.year); w.points = $0.points; return w }
    }

    /// The lots points came from: none (an op from before lots were recorded), or distinct
    /// years whose points add up to `total`.
    private static func lots(_ wire: [Mms_Wire_PointsLot], adding total: Int64) throws -> [LotPoints] {
        guard !wire.isEmpty else { return [] }
        guard wire.count <= maxLots, Set(wire.map(\.year)).count == wire.count,
              wire.allSatisfy({ (1900...9999).contains($0.year) && (1...Limits.maxPoints.value).contains($0.points) }),
              wire.map(\.points).reduce(0, +) == total else { throw malformed("points lots") }
        return wire.map { LotPoints(year: Int($0.year), points: $0.points) }
    }

    /// A spend takes from at most this many lots (a century of yearly lots).
    static let maxLots = 100

    /// A tender as paid (`returned` false) or given back: a coupon names its code and is one
    /// coupon (given back: one or none), points name how many; money tenders carry no units.
    private static func tender(_ w: Mms_Wire_Tender, returned: Bool) throws -> Tender {
        guard let kind = TenderKind(rawValue: w.kind), w.reference.count <= 60 else { throw malformed("unknown tender") }
        switch kind {
        case .coupon:
            try id(w.reference)
            guard returned ? (0...1).contains(w.units) : w.units == 1 else { throw malformed("coupon tender") }
        case .points:
            guard (returned ? 0 : 1)...Limits.maxPoints.value ~= w.units, w.reference.isEmpty else { throw malformed("points tender") }
        case .punch:
            try id(w.reference)
            guard (1...Limits.maxPunchUses * Int64(Sales.maxLines)).contains(w.units) else { throw malformed("punch tender") }
        default:
            guard w.units == 0 else { throw malformed("units on a money tender") }
        }
        // Only stored value has a bonus part, and never more than the tender.
        guard w.bonusFen == 0 || (kind == .stored && (0...w.amountFen).contains(w.bonusFen)) else { throw malformed("bonus on a tender") }
        var tender = Tender(kind: kind, amount: Money(fen: w.amountFen), reference: w.reference, units: w.units, bonus: Money(fen: w.bonusFen))
        guard w.lots.isEmpty || kind == .points else { throw malformed("lots on a tender other than points") }
        tender.lots = try lots(w.lots, adding: w.units)
        return tender
    }

    private static func stockMove(_ m: StockMove) -> Mms_Wire_StockMove {
        var w = Mms_Wire_StockMove(); w.sku = m.sku; w.quantity = m.quantity; w.supplier = m.supplier; w.unitCostFen = m.unitCost.fen
        return w
    }

    private static func stockMove(_ w: Mms_Wire_StockMove) throws -> StockMove {
        try checked { try Catalogue.validateSKU(w.sku); try Stock.validateQuantity(w.quantity) }
        guard (0...Limits.maxAmount.fen).contains(w.unitCostFen), w.supplier.count <= Stock.maxSupplierLength else { throw malformed("stock cost or supplier out of range") }
        return StockMove(sku: w.sku, quantity: w.quantity, supplier: w.supplier, unitCost: Money(fen: w.unitCostFen))
    }

    private static func malformed(_ why: String) -> MMSError { MMSError(.malformedOp, "Malformed op: \(why).") }

    private static func checked<T>(_ make: () throws -> T) throws -> T {
        do { return try make() } catch let e as MMSError { throw malformed(e.message) }
    }

    private static func id(_ value: String) throws {
        try checked { try Identifier.validate(value, what: "identifier") }
    }

    private static func money(_ fen: Int64) throws -> Money {
        guard fen > 0, fen <= Limits.maxAmount.fen else { throw malformed("amount \(fen) fen out of range") }
        return Money(fen: fen)
    }

    private static func points(_ value: Int64, allowZero: Bool) throws -> Points {
        guard value >= (allowZero ? 0 : 1), value <= Limits.maxPoints.value else { throw malformed("points \(value) out of range") }
        return Points(value)
    }
}
