import Foundation

// The field-grade design system's values (issue 19 part 3), as data the tests can judge: the
// app turns them into SwiftUI colours and fonts (App/Fieldwork/Views/FieldTheme.swift). The same
// decisions as Android's Theme.kt: a deep blue accent, near-black text, greys dark enough for
// sunlight, a high-contrast set (black on white, the technician's switch on Today, or the
// phone's Increase Contrast), risk colours that are never alone (each risk has its own symbol
// and words).

/// An sRGB colour, `0xRRGGBB`.
public struct RGB: Equatable, Hashable, Sendable {
    public let hex: UInt32

    public init(_ hex: UInt32) {
        self.hex = hex
    }

    public var red: Double { Double((hex >> 16) & 0xFF) / 255 }
    public var green: Double { Double((hex >> 8) & 0xFF) / 255 }
    public var blue: Double { Double(hex & 0xFF) / 255 }

    /// WCAG 2 relative luminance.
    public var luminance: Double {
        func linear(_ c: Double) -> Double { c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// WCAG 2 contrast ratio, 1 to 21.
    public func contrast(with other: RGB) -> Double {
        let (a, b) = (luminance, other.luminance)
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }
}

/// Which colours the app wears.
public enum FieldAppearance: String, CaseIterable, Sendable {
    case light, dark
    /// For sunlight: black on white, a dark accent, no tinted greys (Android's HIGH_CONTRAST).
    case highContrastLight
    /// The phone's Increase Contrast in dark mode: white on black.
    case highContrastDark

    /// The technician's high-contrast switch wins (black on white, whatever the phone's dark
    /// setting: it is for sunlight); else the phone's Increase Contrast
    /// (`colorSchemeContrast == .increased`) in its light or dark mode; else light or dark.
    public static func resolve(dark: Bool, increasedContrast: Bool, highContrastSwitch: Bool) -> FieldAppearance {
        if highContrastSwitch { return .highContrastLight }
        if increasedContrast { return dark ? .highContrastDark : .highContrastLight }
        return dark ? .dark : .light
    }

    public var isHighContrast: Bool { self == .highContrastLight || self == .highContrastDark }
    public var isDark: Bool { self == .dark || self == .highContrastDark }
}

/// What a colour is for. Text roles are read against `background` and `surface`.
public enum FieldColorRole: String, CaseIterable, Sendable {
    /// The screen behind grouped lists, and the rows on it (iOS's grouped backgrounds).
    case background, surface
    case text, secondaryText
    /// Buttons and links; `onAccent` is text on a filled button.
    case accent, onAccent
    /// The SLA risk (always beside its symbol and words).
    case riskNone, riskOnTrack, riskAtRisk, riskOverdue
    /// The sync status's offline tone (with `wifi.slash`).
    case offline
    case warning, error
    case separator

    /// Roles drawn on the background as text or symbols.
    public static let foregrounds: [FieldColorRole] = [
        .text, .secondaryText, .accent, .riskNone, .riskOnTrack, .riskAtRisk, .riskOverdue,
        .offline, .warning, .error,
    ]
}

public struct FieldPalette: Equatable, Sendable {
    public let appearance: FieldAppearance
    private let colors: [FieldColorRole: RGB]

    public subscript(role: FieldColorRole) -> RGB {
        colors[role] ?? RGB(0x000000)
    }

    public static func of(_ appearance: FieldAppearance) -> FieldPalette {
        let table: [FieldColorRole: UInt32]
        switch appearance {
        case .light:
            table = [
                .background: 0xF2F2F7, .surface: 0xFFFFFF, .text: 0x14171C, .secondaryText: 0x394350,
                .accent: 0x0B4F9C, .onAccent: 0xFFFFFF,
                .riskNone: 0x5F6873, .riskOnTrack: 0x1B6E2A, .riskAtRisk: 0x9A5B00, .riskOverdue: 0xB3261E,
                .offline: 0x4A4458, .warning: 0x8A4B00, .error: 0xB3261E, .separator: 0x6B7480,
            ]
        case .dark:
            table = [
                .background: 0x000000, .surface: 0x1C1C1E, .text: 0xE4E7EC, .secondaryText: 0xC7CED8,
                .accent: 0xA8C8FF, .onAccent: 0x002F65,
                .riskNone: 0xA3ABB5, .riskOnTrack: 0x7DD68A, .riskAtRisk: 0xFFC266, .riskOverdue: 0xFFB4AB,
                .offline: 0xCBC2DB, .warning: 0xFFB86E, .error: 0xFFB4AB, .separator: 0x8D96A1,
            ]
        case .highContrastLight:
            table = [
                .background: 0xFFFFFF, .surface: 0xFFFFFF, .text: 0x000000, .secondaryText: 0x000000,
                .accent: 0x00306E, .onAccent: 0xFFFFFF,
                .riskNone: 0x000000, .riskOnTrack: 0x0A4A17, .riskAtRisk: 0x6B3D00, .riskOverdue: 0x8C0009,
                .offline: 0x000000, .warning: 0x5C2E00, .error: 0x8C0009, .separator: 0x000000,
            ]
        case .highContrastDark:
            table = [
                .background: 0x000000, .surface: 0x000000, .text: 0xFFFFFF, .secondaryText: 0xFFFFFF,
                .accent: 0xC9DCFF, .onAccent: 0x000000,
                .riskNone: 0xFFFFFF, .riskOnTrack: 0xA6F0B0, .riskAtRisk: 0xFFD899, .riskOverdue: 0xFFCCC5,
                .offline: 0xFFFFFF, .warning: 0xFFD0A0, .error: 0xFFCCC5, .separator: 0xFFFFFF,
            ]
        }
        return FieldPalette(appearance: appearance, colors: table.mapValues(RGB.init))
    }
}

/// Sizes every screen shares (Android's FieldDimens).
public enum FieldMetrics {
    /// A primary action: 56 pt tall, for a gloved thumb (Apple's minimum target is 44 pt).
    public static let primaryActionHeight: Double = 56
    /// Any other control's touch target.
    public static let minimumTouchTarget: Double = 48
    /// No text below this size at the default Dynamic Type size.
    public static let minimumTextPointSize: Double = 16
}

/// The text styles the app uses, with their size at the default Dynamic Type size (Large);
/// each scales with the phone's text size. None is below 16 pt: `.subheadline` (15),
/// `.footnote` (13) and `.caption` (12) are not used.
public enum FieldTextRole: String, CaseIterable, Sendable {
    /// `.title3`, semibold: a customer's name, a section's lead.
    case title
    /// `.headline`: a line's lead.
    case headline
    /// `.body`.
    case body
    /// `.callout`: a secondary line (an address, a time, a detail).
    case secondary

    public var pointSize: Double {
        switch self {
        case .title: return 20
        case .headline: return 17
        case .body: return 17
        case .secondary: return 16
        }
    }
}

extension SlaRisk {
    /// A symbol per risk, so the risk is told by shape and words as well as colour.
    public var symbolName: String {
        switch self {
        case .none: return "circle"
        case .onTrack: return "clock"
        case .atRisk: return "exclamationmark.triangle.fill"
        case .breached: return "exclamationmark.octagon.fill"
        }
    }

    public var colorRole: FieldColorRole {
        switch self {
        case .none: return .riskNone
        case .onTrack: return .riskOnTrack
        case .atRisk: return .riskAtRisk
        case .breached: return .riskOverdue
        }
    }
}

extension SyncIndicator.Tone {
    /// The sync status's colour (always with its own symbol and headline).
    public var colorRole: FieldColorRole {
        switch self {
        case .upToDate: return .riskOnTrack
        case .working, .waiting: return .accent
        case .offline: return .offline
        case .warning: return .warning
        case .error: return .error
        }
    }
}
