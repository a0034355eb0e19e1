import FieldworkBindings
import FieldworkShell
import Foundation
import Observation
import SwiftUI
import UIKit

/// The composition root: opens the core with the Keychain, wires the network monitor, the
/// core's log and the view models, and handles the app moving to the background.
@MainActor
@Observable
final class AppModel {
    /// Nil when the store could not be opened (then `startupFailure` says why).
    let session: AppSession?
    let startupFailure: UserMessage?

    private let network = NetworkMonitor()
    private let grace = BackgroundGrace()

    init() {
        FieldworkBindings.setLogSink(sink: OSLogSink(), level: .info)
        do {
            let services = try FieldworkServices.open(
                dataDirectory: try Self.dataDirectory(),
                secrets: KeychainSecretStore(),
                fontPath: Bundle.main.path(forResource: "NotoSansCJKsc-Regular", ofType: "otf")
            )
            session = AppSession(services: services)
            startupFailure = nil
        } catch {
            session = nil
            startupFailure = ErrorMessages.message(for: error)
        }
    }

    func start() {
        guard let session else { return }
        network.start { [weak self] online in
            Task { @MainActor in
                self?.session?.sync.networkChanged(online: online)
            }
        }
        session.startSyncingEdits()
        // The last successful send and what waits, as the core kept them across restarts.
        Task { await session.sync.refreshState() }
        if session.enrollment.isEnrolled {
            // Launch counts as coming to the foreground: sync, and the periodic sync from now.
            session.sync.foregroundChanged(active: true)
        }
    }

    func scenePhaseChanged(_ phase: ScenePhase) {
        guard let session, session.enrollment.isEnrolled else { return }
        switch phase {
        case .active:
            session.sync.foregroundChanged(active: true)
        case .background:
            session.sync.foregroundChanged(active: false)
            BackgroundWork.scheduleSync()
            let photosWaiting = session.sync.pendingPhotos > 0 || !session.photos.waiting.isEmpty
            if photosWaiting {
                BackgroundWork.scheduleUploads()
            }
            // Mid-upload, or edits not sent yet (an edit's debounce would not run while the app
            // is suspended): ask for the time to finish or run a sync rather than cut it off.
            if session.sync.isSyncing || session.sync.pendingChanges > 0 || photosWaiting {
                grace.run(named: "fieldwork-upload") {
                    await session.finishInBackground()
                }
            }
        default:
            break
        }
    }

    /// Application Support/Fieldwork, excluded from backups: the device's key and token live
    /// in the Keychain for this device only, so a store restored elsewhere could not sync.
    private static func dataDirectory() throws -> URL {
        var url = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            .appendingPathComponent("Fieldwork", isDirectory: true)
        try FileManager.default.createDirectory(
            at: url,
            withIntermediateDirectories: true,
            attributes: [.protectionKey: FileProtectionType.completeUntilFirstUserAuthentication]
        )
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try url.setResourceValues(values)
        return url
    }
}

/// The view models over an opened store.
@MainActor
@Observable
final class AppSession {
    let services: FieldworkServices
    let enrollment: EnrollmentViewModel
    let today: TodayViewModel
    let sync: SyncStatusViewModel
    let photos: PhotoQueueViewModel
    let stock: StockViewModel

    @ObservationIgnored private var editWatcher: Task<Void, Never>?

    init(services: FieldworkServices) {
        self.services = services
        enrollment = EnrollmentViewModel(repository: services.enrollment, deviceName: UIDevice.current.name)
        today = TodayViewModel(repository: services.jobs)
        sync = SyncStatusViewModel(repository: services.sync)
        photos = PhotoQueueViewModel(jobs: services.jobs, photos: services.photos)
        stock = StockViewModel(repository: services.stock)
    }

    func jobDetail(_ jobId: String) -> JobDetailViewModel {
        JobDetailViewModel(jobId: jobId, repository: services.jobs, photos: services.photos, stock: services.stock)
    }

    func signing(_ jobId: String) -> SigningViewModel {
        let language: ReportLanguage = Locale.current.language.languageCode?.identifier == "zh" ? .zhCn : .en
        return SigningViewModel(jobId: jobId, repository: services.reports, language: language)
    }

    /// Enrolled: sync now (as Android's `afterEnroll`), and the foreground's periodic sync.
    func enrolled() {
        sync.foregroundChanged(active: true, syncNow: false)
        sync.requestSync()
    }

    /// Sends local edits a few seconds after they are made, or right after the sync that is
    /// running (the core keeps them if there is no signal).
    func startSyncingEdits() {
        editWatcher?.cancel()
        editWatcher = Task { [weak self] in
            guard let changes = self?.services.jobs.changes() else { return }
            for await change in changes where change.cause == .localEdit {
                self?.sync.localEdit()
            }
        }
    }

    /// For background time: finish the running sync (and the one after it, for an edit made
    /// while it ran), or run one.
    func finishInBackground() async -> Bool {
        if sync.isSyncing {
            await sync.settle()
            await photos.load()
            return sync.phase == .idle
        }
        let synced = await sync.syncOnce()
        await photos.load()
        return synced
    }
}
