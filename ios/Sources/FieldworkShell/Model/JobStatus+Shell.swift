import FieldworkBindings
import Foundation

extension JobStatus {
    /// The status as the job JSON writes it (`on_site`), or nil for an unknown name.
    public init?(wireName: String) {
        switch wireName {
        case "new": self = .new
        case "assigned": self = .assigned
        case "accepted": self = .accepted
        case "en_route": self = .enRoute
        case "on_site": self = .onSite
        case "in_progress": self = .inProgress
        case "on_hold": self = .onHold
        case "completed": self = .completed
        case "cancelled": self = .cancelled
        default: return nil
        }
    }

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
