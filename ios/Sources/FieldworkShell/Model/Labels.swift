import FieldworkBindings
import Foundation

// The core's typed values as the screens say them: each enum with its Localizable.strings key
// (the app's en and zh-Hans tables), and the few values that need the platform to be shown (a
// phone number to call, money in minor units). No rule of the core's is repeated here.

extension PriorityRecord {
    public var labelKey: String {
        switch self {
        case .emergency: return "priority.emergency"
        case .high: return "priority.high"
        case .normal: return "priority.normal"
        case .low: return "priority.low"
        }
    }
}

extension JobKindRecord {
    public var labelKey: String {
        switch self {
        case .repair: return "kind.repair"
        case .inspection: return "kind.inspection"
        }
    }
}

extension RegionRecord {
    public var labelKey: String {
        switch self {
        case .city: return "region.city"
        case .province: return "region.province"
        case .remote: return "region.remote"
        }
    }
}

extension MilestoneKind {
    public var labelKey: String {
        switch self {
        case .response: return "sla.response"
        case .arrival: return "sla.arrival"
        case .resolution: return "sla.resolution"
        }
    }
}

extension SlaState {
    public var labelKey: String {
        switch self {
        case .pending: return "sla.state.pending"
        case .atRisk: return "sla.state.at_risk"
        case .breached: return "sla.state.breached"
        case .met: return "sla.state.met"
        case .notNeeded: return "sla.state.not_needed"
        }
    }
}

extension ReportState {
    public var labelKey: String {
        switch self {
        case .none: return "report.status.none"
        case .signed: return "report.status.signed"
        case .refused: return "report.status.refused"
        case .changedSinceSigned: return "report.status.changed_since_signed"
        }
    }
}

extension ChargeKind {
    public var labelKey: String {
        switch self {
        case .part: return "charge.part"
        case .labour: return "charge.labour"
        case .travel: return "charge.travel"
        }
    }
}

extension AuthorRole {
    /// The author in words: dispatch, or "you"; nil for a colleague, who is named by their id
    /// (`NoteRecord.authorName`, else the id `NoteRecord.author`, shown with `note.by_colleague`).
    public var labelKey: String? {
        switch self {
        case .dispatch: return "note.by_dispatch"
        case .me: return "note.by_me"
        case .colleague: return nil
        }
    }
}

extension CustomerRecord {
    /// The customer's phone as a `tel:` link (digits, a leading +, * and #; spaces, dashes and
    /// brackets dropped); nil when dispatch recorded none.
    public var callURL: URL? {
        let dialable = CharacterSet(charactersIn: "0123456789+*#")
        var number = ""
        number.unicodeScalars.append(contentsOf: phone.unicodeScalars.filter { dialable.contains($0) })
        guard number.contains(where: \.isNumber) else { return nil }
        return URL(string: "tel:" + number)
    }
}

/// Money the core gives in the currency's minor unit (fen, cents), in the phone's language.
public enum Money {
    public static func text(minor: Int64, currency: String, locale: Locale = .current) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .currency
        formatter.locale = locale
        formatter.currencyCode = currency
        // The currency's own minor digits (2 for CNY, 0 for JPY), as the formatter knows them.
        let digits = formatter.maximumFractionDigits
        var major = Decimal(minor)
        for _ in 0..<digits {
            major /= 10
        }
        return formatter.string(from: major as NSDecimalNumber) ?? "\(currency) \(major)"
    }
}

extension StockFlag {
    /// Why a level needs dispatch's eye, in words ("More used than the van held").
    public var labelKey: String {
        switch self {
        case .belowZero: return "stock.flag.below_zero"
        case .serialUsedTwice: return "stock.flag.serial_used_twice"
        }
    }
}
