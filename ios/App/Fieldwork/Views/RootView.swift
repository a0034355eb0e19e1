import FieldworkShell
import SwiftUI

/// Enrollment until the device is enrolled, then the technician's tabs.
struct RootView: View {
    let model: AppModel
    @Environment(\.scenePhase) private var scenePhase

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

/// A UserMessage localized: the message, the core's detail, and what to do.
struct UserMessageView: View {
    let message: UserMessage

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(LocalizedStringKey(message.key)).font(.headline)
            if let hint = message.recoveryKey {
                Text(LocalizedStringKey(hint)).font(.subheadline)
            }
            if !message.detail.isEmpty {
                Text(message.detail).font(.caption).foregroundStyle(.secondary)
            }
        }
    }
}

extension UserMessage {
    var recoveryKey: String? {
        switch recovery {
        case .none: return nil
        case .correctInput: return "recovery.correct_input"
        case .retryLater: return "recovery.retry_later"
        case .signAgain: return "recovery.sign_again"
        case .chooseAnotherPhoto: return "recovery.another_photo"
        case .enrollAgain: return "recovery.enroll_again"
        case .contactOffice: return "recovery.contact_office"
        case .updateApp: return "recovery.update_app"
        case .reportProblem: return "recovery.report_problem"
        }
    }
}
