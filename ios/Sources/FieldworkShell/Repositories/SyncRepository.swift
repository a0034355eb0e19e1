import FieldworkBindings
import Foundation

/// Sync with the office, and what the core needs to know about the network.
public final class SyncRepository: Sendable {
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

    public func pendingChanges() async throws -> UInt64 {
        try app.pendingSyncCount()
    }
}
