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

    /// The steps a technician is offered next; any of accepted, en_route, on_site,
    /// in_progress, on_hold and completed is allowed until the job is completed or cancelled.
    public var nextActions: [JobStatus] {
        switch self {
        case .new, .assigned: return [.accepted]
        case .accepted: return [.enRoute]
        case .enRoute: return [.onSite]
        case .onSite: return [.inProgress]
        case .inProgress: return [.onHold, .completed]
        case .onHold: return [.inProgress]
        case .completed, .cancelled: return []
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
