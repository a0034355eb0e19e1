import BackgroundTasks
import Foundation
import UIKit

/// BGTaskScheduler: an app-refresh task that syncs now and then, and a processing task that
/// uploads waiting photos when the system allows (network required).
@MainActor
enum BackgroundWork {
    nonisolated static let syncTask = "app.fieldwork.sync"
    nonisolated static let uploadTask = "app.fieldwork.photo-upload"

    /// Call before the app finishes launching. The handlers run on the main queue.
    nonisolated static func register(model: AppModel) {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: syncTask, using: .main) { task in
            MainActor.assumeIsolated {
                scheduleSync()
                run(task, model: model)
            }
        }
        BGTaskScheduler.shared.register(forTaskWithIdentifier: uploadTask, using: .main) { task in
            MainActor.assumeIsolated {
                run(task, model: model)
            }
        }
    }

    static func scheduleSync() {
        let request = BGAppRefreshTaskRequest(identifier: syncTask)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    static func scheduleUploads() {
        let request = BGProcessingTaskRequest(identifier: uploadTask)
        request.requiresNetworkConnectivity = true
        try? BGTaskScheduler.shared.submit(request)
    }

    private static func run(_ task: BGTask, model: AppModel) {
        guard let session = model.session, session.enrollment.isEnrolled else {
            task.setTaskCompleted(success: true)
            return
        }
        let completion = TaskCompletion(task)
        let work = Task { @MainActor in
            let synced = await session.finishInBackground()
            if !session.photos.waiting.isEmpty {
                scheduleUploads()
            }
            completion.finish(success: synced)
        }
        task.expirationHandler = { @Sendable in
            work.cancel()
            Task { @MainActor in
                completion.finish(success: false)
            }
        }
    }
}

/// Calls setTaskCompleted exactly once, whichever of the work and the expiration comes first.
@MainActor
private final class TaskCompletion {
    private var task: BGTask?

    init(_ task: BGTask) {
        self.task = task
    }

    func finish(success: Bool) {
        task?.setTaskCompleted(success: success)
        task = nil
    }
}

/// UIApplication.beginBackgroundTask around work that should not be cut off when the app
/// leaves the foreground (an upload in flight).
@MainActor
final class BackgroundGrace {
    private var identifier = UIBackgroundTaskIdentifier.invalid

    func run(named name: String, _ work: @escaping @MainActor () async -> Bool) {
        guard identifier == .invalid else { return }
        identifier = UIApplication.shared.beginBackgroundTask(withName: name) { @Sendable [weak self] in
            Task { @MainActor in
                self?.end()
            }
        }
        Task { @MainActor in
            _ = await work()
            end()
        }
    }

    private func end() {
        guard identifier != .invalid else { return }
        UIApplication.shared.endBackgroundTask(identifier)
        identifier = .invalid
    }
}
