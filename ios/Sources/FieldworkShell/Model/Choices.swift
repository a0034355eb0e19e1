import FieldworkBindings
import Foundation

// The core's enums as the pickers list them, each with its Localizable.strings key.

extension FaultCause {
    public static let pickerOrder: [FaultCause] = [
        .qualityDefect, .humanDamage, .misuse, .improperStorage, .improperTransport,
        .forceMajeure, .powerSupply, .unauthorisedModification, .noWarrantyCard, .serialMismatch,
    ]

    public var labelKey: String {
        switch self {
        case .qualityDefect: return "cause.quality_defect"
        case .humanDamage: return "cause.human_damage"
        case .misuse: return "cause.misuse"
        case .improperStorage: return "cause.improper_storage"
        case .improperTransport: return "cause.improper_transport"
        case .forceMajeure: return "cause.force_majeure"
        case .powerSupply: return "cause.power_supply"
        case .unauthorisedModification: return "cause.unauthorised_modification"
        case .noWarrantyCard: return "cause.no_warranty_card"
        case .serialMismatch: return "cause.serial_mismatch"
        }
    }
}

extension TimeKind {
    public static let pickerOrder: [TimeKind] = [.travel, .labour]

    public var labelKey: String {
        switch self {
        case .travel: return "time.travel"
        case .labour: return "time.labour"
        }
    }
}

extension ReportLanguage {
    public static let pickerOrder: [ReportLanguage] = [.zhCn, .en]

    public var labelKey: String {
        switch self {
        case .zhCn: return "language.zh_cn"
        case .en: return "language.en"
        }
    }
}

extension ReturnReasonRecord {
    public static let pickerOrder: [ReturnReasonRecord] = [.defective, .unused, .removed]

    public var labelKey: String {
        switch self {
        case .defective: return "stock.reason.defective"
        case .unused: return "stock.reason.unused"
        case .removed: return "stock.reason.removed"
        }
    }
}
