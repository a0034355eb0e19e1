import FieldworkBindings
import Foundation

/// What the sync status needs from the core: a sync, the network state, the pending count.
/// `SyncRepository` is the core's; tests replay the scenarios table with a scripted one.
public protocol SyncService: Sendable {
    func sync() async throws -> SyncReportRecord
    func setNetworkState(online: Bool)
    func pendingChanges() async throws -> UInt64
}

/// Sync with the office, and what the core needs to know about the network.
public final class SyncRepository: SyncService {
    let app: FieldworkApp

    public init(app: FieldworkApp) {
        self.app = app
    }

    public func sync() async throws -> SyncReportRecord {
        try await app.sync()
    }

    public func setNetworkState(online: Bool) {
        app.setNetworkState(online: online)
    }

    /// Jobs with changes the office has not acknowledged yet.
    public func pendingChanges() async throws -> UInt64 {
        try app.pendingSyncCount()
    }
}
