import SwiftUI
import UIKit

/// The app. Named so because `FieldworkApp` is the core's class.
@main
struct FieldworkMain: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate

    var body: some Scene {
        WindowGroup {
            RootView(model: delegate.model)
        }
    }
}

/// Background tasks must be registered before launch finishes, so the model lives here.
@MainActor
final class AppDelegate: NSObject, UIApplicationDelegate {
    private(set) lazy var model = AppModel()

    func application(_ application: UIApplication, didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil) -> Bool {
        BackgroundWork.register(model: model)
        model.start()
        return true
    }
}
