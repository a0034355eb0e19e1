import FieldworkBindings
import Foundation

/// What the sync status needs from the core: a sync, the network state, and where syncing
/// stands (the last successful sync, kept by the core across restarts, and what waits to be
/// sent). `SyncRepository` is the core's; tests replay the scenarios table with a scripted one.
public protocol SyncService: Sendable {
    func sync() async throws -> SyncReportRecord
    func setNetworkState(online: Bool)
    func syncState() async throws -> SyncStateRecord
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

    /// The last successful sync, the jobs and photos waiting to be sent, online or not.
    public func syncState() async throws -> SyncStateRecord {
        try app.syncState()
    }
}
