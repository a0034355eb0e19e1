import FieldworkBindings
import Foundation

extension JobStatus {
    /// Localizable.strings key of the status's name.
    public var labelKey: String {
        switch self {
        case .new: return "status.new"
        case .assigned: return "status.assigned"
        case .accepted: return "status.accepted"
        case .enRoute: return "status.en_route"
        case .onSite: return "status.on_site"
        case .inProgress: return "status.in_progress"
        case .onHold: return "status.on_hold"
        case .completed: return "status.completed"
        case .cancelled: return "status.cancelled"
        }
    }
}
