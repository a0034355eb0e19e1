import FieldworkShell
import SwiftUI

/// Enrollment until the device is enrolled, then the technician's tabs.
struct RootView: View {
    let model: AppModel
    @Environment(\.scenePhase) private var scenePhase
    /// The high-contrast switch on Today (kept across launches).
    @AppStorage(FieldSettings.highContrastKey) private var highContrast = false

    var body: some View {
        Group {
            if let session = model.session {
                if session.enrollment.isEnrolled {
                    MainTabs(session: session)
                } else {
                    EnrollmentView(model: session.enrollment, onEnrolled: session.enrolled)
                }
            } else if let failure = model.startupFailure {
                VStack(spacing: 12) {
                    Image(systemName: "externaldrive.badge.exclamationmark").font(.largeTitle)
                    UserMessageView(message: failure)
                }
                .padding()
            }
        }
        // Light, dark or high contrast (the phone's Increase Contrast, or the switch).
        .fieldThemed(highContrastSwitch: highContrast)
        .onChange(of: scenePhase) { _, phase in
            model.scenePhaseChanged(phase)
        }
    }
}

struct MainTabs: View {
    let session: AppSession

    var body: some View {
        TabView {
            NavigationStack {
                TodayView(model: session.today, session: session)
            }
            .tabItem { Label("tab.today", systemImage: "calendar") }
            NavigationStack {
                PhotoQueueView(model: session.photos, sync: session.sync)
            }
            .tabItem { Label("tab.photos", systemImage: "photo.on.rectangle") }
            NavigationStack {
                SyncStatusView(model: session.sync)
            }
            .tabItem { Label("tab.sync", systemImage: "arrow.triangle.2.circlepath") }
        }
    }
}
