import FieldworkBindings
import FieldworkShell
import SwiftUI
import UIKit

/// A Localizable.strings entry in the phone's language, as a String (for formats with
/// arguments and for accessibility labels).
func appText(_ key: String) -> String {
    Bundle.main.localizedString(forKey: key, value: nil, table: nil)
}

/// The app shows its zh-Hans strings: part names read in Chinese (the catalogue's `nameZh`),
/// in English otherwise.
var appIsChinese: Bool {
    Bundle.main.preferredLocalizations.first?.hasPrefix("zh") ?? false
}

/// A UserMessage in words: the message (its arguments put in: fields and statuses in words),
/// what to do, and the core's detail only where it is meant to be read (never the English
/// detail of a refused value, which stays in the log). `localize` is the phone's language, or
/// the report's on the customer's screens.
struct UserMessageView: View {
    let message: UserMessage
    var localize: (String) -> String = appText

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(verbatim: message.text(localize)).font(.headline)
            if let hint = message.recoveryKey {
                Text(verbatim: localize(hint)).font(.field(.secondary))
            }
            if let detail = message.shownDetail {
                Text(verbatim: detail).font(.field(.secondary)).foregroundStyle(.field(.secondaryText))
            }
        }
        .accessibilityElement(children: .combine)
    }
}

/// The office refused a job's last changes: the sentence in the phone's language ("The office
/// refused this job's last changes: ask dispatch."); the office's own words, in English, only
/// behind "Details", for support to read.
struct SyncRefusalView: View {
    let refusal: UserMessage

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Label {
                Text(verbatim: refusal.text(appText))
            } icon: {
                Image(systemName: "exclamationmark.triangle.fill")
            }
            .foregroundStyle(.field(.error))
            .font(.headline)
            if !refusal.detail.isEmpty {
                DisclosureGroup("sync.details") {
                    Text(verbatim: refusal.detail)
                        .font(.callout.monospaced())
                        .foregroundStyle(.field(.secondaryText))
                        .textSelection(.enabled)
                        .frame(maxWidth: .infinity, alignment: .leading)
                }
                .font(.field(.secondary))
            }
        }
    }
}

extension PhotoRecord {
    /// How VoiceOver names a photo: its caption, else when it was taken (the site's clock).
    func accessibilityName(zone: String) -> String {
        caption ?? SiteTime.time(takenAtMs, zone: zone)
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

extension SlaWords {
    /// "Overdue 20 min" in the phone's language.
    var phrase: String { text(appText) }
}

extension SlaRisk {
    /// The palette's colour for the risk; never shown alone (the symbol and the words go with it).
    var color: FieldColor { .field(colorRole) }

    /// A symbol per risk (the shell's), so the risk is told by shape and words as well as colour.
    var systemImage: String { symbolName }
}

/// The risk dot with its words: the colour is never alone (the words are beside it and are the
/// dot's accessibility label).
struct SlaRiskLabel: View {
    let risk: SlaRisk
    let words: SlaWords?

    var body: some View {
        if let words {
            Label {
                Text(verbatim: words.phrase)
            } icon: {
                Image(systemName: risk.systemImage).foregroundStyle(risk.color)
            }
            .accessibilityElement(children: .ignore)
            .accessibilityLabel(Text(verbatim: words.phrase))
        }
    }
}

/// A thumbnail loaded once per id (a small JPEG from the core), a grey tile meanwhile or when
/// the phone does not hold the photo.
struct ThumbnailImage: View {
    let id: String
    let load: () async -> Data?
    var size: CGFloat = 72
    @State private var image: UIImage?

    var body: some View {
        Group {
            if let image {
                Image(uiImage: image).resizable().scaledToFill()
            } else {
                Color.secondary.opacity(0.2)
                    .overlay(Image(systemName: "photo").foregroundStyle(.field(.secondaryText)))
            }
        }
        .frame(width: size, height: size)
        .clipShape(RoundedRectangle(cornerRadius: 6))
        .accessibilityHidden(true)
        .task(id: id) {
            if let data = await load() {
                image = UIImage(data: data)
            }
        }
    }
}
