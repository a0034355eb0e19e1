import FieldworkShell
import SwiftUI

// The design system in SwiftUI: the shell's FieldPalette as colours that follow light, dark and
// high contrast (the phone's Increase Contrast, or the switch on Today), the text roles as
// Dynamic Type fonts (none below 16 pt), and the 56 pt primary and secondary actions.

/// The app's own settings (UserDefaults keys).
enum FieldSettings {
    /// Today's high-contrast switch.
    static let highContrastKey = "fieldwork.high_contrast"
}

extension RGB {
    var color: Color { Color(.sRGB, red: red, green: green, blue: blue, opacity: 1) }
}

private struct FieldPaletteKey: EnvironmentKey {
    static let defaultValue = FieldPalette.of(.light)
}

extension EnvironmentValues {
    /// The palette for the current appearance, set once at the root by `fieldThemed`.
    var fieldPalette: FieldPalette {
        get { self[FieldPaletteKey.self] }
        set { self[FieldPaletteKey.self] = newValue }
    }
}

/// A palette role as a ShapeStyle, resolved in the environment where it is drawn:
/// `.foregroundStyle(.field(.secondaryText))`.
struct FieldColor: ShapeStyle {
    let role: FieldColorRole

    func resolve(in environment: EnvironmentValues) -> Color {
        environment.fieldPalette[role].color
    }
}

extension ShapeStyle where Self == FieldColor {
    static func field(_ role: FieldColorRole) -> FieldColor { FieldColor(role: role) }
}

extension Font {
    /// A text role's Dynamic Type style (see FieldTextRole: none below 16 pt at the default size).
    static func field(_ role: FieldTextRole) -> Font {
        switch role {
        case .title: return .title3.weight(.semibold)
        case .headline: return .headline
        case .body: return .body
        case .secondary: return .callout
        }
    }
}

/// Resolves the appearance from the phone (dark mode, Increase Contrast) and the technician's
/// switch, and hands its palette and accent down. The switch also forces light mode: it is
/// black on white, for sunlight.
private struct FieldThemed: ViewModifier {
    let highContrastSwitch: Bool
    @Environment(\.colorScheme) private var colorScheme
    @Environment(\.colorSchemeContrast) private var contrast

    func body(content: Content) -> some View {
        let appearance = FieldAppearance.resolve(
            dark: colorScheme == .dark,
            increasedContrast: contrast == .increased,
            highContrastSwitch: highContrastSwitch
        )
        let palette = FieldPalette.of(appearance)
        content
            .environment(\.fieldPalette, palette)
            .tint(palette[.accent].color)
    }
}

extension View {
    func fieldThemed(highContrastSwitch: Bool) -> some View {
        modifier(FieldThemed(highContrastSwitch: highContrastSwitch))
            .preferredColorScheme(highContrastSwitch ? .light : nil)
    }
}

/// The main action: filled with the accent, at least 56 pt tall and as wide as it may be.
struct PrimaryActionStyle: ButtonStyle {
    @Environment(\.fieldPalette) private var palette
    @Environment(\.isEnabled) private var isEnabled

    func makeBody(configuration: Configuration) -> some View {
        configuration.label
            .font(.field(.headline))
            .multilineTextAlignment(.center)
            .foregroundStyle(palette[.onAccent].color)
            .frame(maxWidth: .infinity, minHeight: FieldMetrics.primaryActionHeight)
            .padding(.horizontal, 12)
            .background(palette[.accent].color.opacity(isEnabled ? (configuration.isPressed ? 0.8 : 1) : 0.4),
                        in: RoundedRectangle(cornerRadius: 12))
            .contentShape(RoundedRectangle(cornerRadius: 12))
    }
}

/// Another action beside the main one: outlined in the accent, the same height.
struct SecondaryActionStyle: ButtonStyle {
    @Environment(\.fieldPalette) private var palette
    @Environment(\.isEnabled) private var isEnabled

    func makeBody(configuration: Configuration) -> some View {
        configuration.label
            .font(.field(.headline))
            .multilineTextAlignment(.center)
            .foregroundStyle(palette[.accent].color.opacity(isEnabled ? 1 : 0.4))
            .frame(maxWidth: .infinity, minHeight: FieldMetrics.primaryActionHeight)
            .padding(.horizontal, 12)
            .background(palette[.surface].color.opacity(configuration.isPressed ? 0.7 : 1), in: RoundedRectangle(cornerRadius: 12))
            .overlay(RoundedRectangle(cornerRadius: 12).strokeBorder(palette[.accent].color, lineWidth: palette.appearance.isHighContrast ? 3 : 2))
            .contentShape(RoundedRectangle(cornerRadius: 12))
    }
}

/// The bar under a screen's content holding its primary actions (`safeAreaInset(edge: .bottom)`),
/// with a message right above them.
struct ActionBar<Content: View>: View {
    @ViewBuilder let content: () -> Content
    @Environment(\.fieldPalette) private var palette

    var body: some View {
        VStack(spacing: 0) {
            Rectangle().fill(.field(.separator)).frame(height: palette.appearance.isHighContrast ? 2 : 1)
            content()
                .padding(.horizontal, 16)
                .padding(.vertical, 10)
        }
        .background(palette.appearance.isHighContrast ? AnyShapeStyle(palette[.surface].color) : AnyShapeStyle(Material.bar))
    }
}
