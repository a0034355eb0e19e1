import FieldworkBindings
import FieldworkShell
import XCTest

/// The field-grade design system (issue 19 part 3): contrast in every appearance, which
/// appearance the phone and the switch give, sizes, the SLA risk and sync tones never told by
/// colour alone, the job screen's bottom bar, and no text style below 16 pt anywhere in the app
/// (its sources read through `#filePath`). No office needed.
final class DesignSystemTests: XCTestCase {
    func testEveryForegroundReadsOnItsBackgroundsInEveryAppearance() {
        for appearance in FieldAppearance.allCases {
            let palette = FieldPalette.of(appearance)
            // WCAG AA for text (4.5:1); AAA (7:1) in high contrast.
            let needed = appearance.isHighContrast ? 7.0 : 4.5
            for role in FieldColorRole.foregrounds {
                for ground in [FieldColorRole.background, .surface] {
                    let ratio = palette[role].contrast(with: palette[ground])
                    XCTAssertGreaterThanOrEqual(ratio, needed, "\(appearance): \(role) on \(ground) is \(ratio):1")
                }
            }
            XCTAssertGreaterThanOrEqual(palette[.onAccent].contrast(with: palette[.accent]), needed, "\(appearance): a filled button's label")
            XCTAssertGreaterThanOrEqual(palette[.separator].contrast(with: palette[.surface]), 3, "\(appearance): the separator")
        }
        // High contrast is black on white (and white on black): no tinted greys.
        XCTAssertEqual(FieldPalette.of(.highContrastLight)[.text], RGB(0x000000))
        XCTAssertEqual(FieldPalette.of(.highContrastLight)[.secondaryText], RGB(0x000000))
        XCTAssertEqual(FieldPalette.of(.highContrastLight)[.background], RGB(0xFFFFFF))
        XCTAssertEqual(FieldPalette.of(.highContrastDark)[.text], RGB(0xFFFFFF))
        XCTAssertEqual(RGB(0x000000).contrast(with: RGB(0xFFFFFF)), 21, accuracy: 0.001)
    }

    func testTheAppearanceFollowsThePhoneAndTheSwitch() {
        XCTAssertEqual(FieldAppearance.resolve(dark: false, increasedContrast: false, highContrastSwitch: false), .light)
        XCTAssertEqual(FieldAppearance.resolve(dark: true, increasedContrast: false, highContrastSwitch: false), .dark)
        // The phone's Increase Contrast (colorSchemeContrast == .increased), light or dark.
        XCTAssertEqual(FieldAppearance.resolve(dark: false, increasedContrast: true, highContrastSwitch: false), .highContrastLight)
        XCTAssertEqual(FieldAppearance.resolve(dark: true, increasedContrast: true, highContrastSwitch: false), .highContrastDark)
        // The switch on Today is for sunlight: black on white even in dark mode.
        XCTAssertEqual(FieldAppearance.resolve(dark: true, increasedContrast: false, highContrastSwitch: true), .highContrastLight)
        XCTAssertEqual(FieldAppearance.resolve(dark: true, increasedContrast: true, highContrastSwitch: true), .highContrastLight)
        XCTAssertTrue(FieldAppearance.dark.isDark)
        XCTAssertFalse(FieldAppearance.highContrastLight.isDark)
    }

    func testSizesForAGlovedThumbAndNoSmallText() {
        XCTAssertGreaterThanOrEqual(FieldMetrics.primaryActionHeight, 56)
        XCTAssertGreaterThanOrEqual(FieldMetrics.minimumTouchTarget, 44)
        for role in FieldTextRole.allCases {
            XCTAssertGreaterThanOrEqual(role.pointSize, FieldMetrics.minimumTextPointSize, "\(role)")
        }
        XCTAssertEqual(FieldMetrics.minimumTextPointSize, 16)
    }

    func testRiskAndSyncStatesAreNeverToldByColourAlone() {
        let risks: [SlaRisk] = [.none, .onTrack, .atRisk, .breached]
        XCTAssertEqual(Set(risks.map(\.symbolName)).count, risks.count, "a symbol per risk")
        XCTAssertEqual(Set(risks.map(\.colorRole)).count, risks.count, "a colour per risk")
        // The words go with the symbol wherever a risk is shown.
        XCTAssertNotNil(SlaWords.of(risk: .breached, minutesLeft: -20))
        XCTAssertNotNil(SlaWords.of(risk: .atRisk, minutesLeft: 15))
        XCTAssertNotNil(SlaWords.of(risk: .onTrack, minutesLeft: 180))
        for tone in SyncIndicator.Tone.allCases {
            for appearance in FieldAppearance.allCases {
                let palette = FieldPalette.of(appearance)
                XCTAssertGreaterThanOrEqual(palette[tone.colorRole].contrast(with: palette[.background]), 4.5, "\(tone) in \(appearance)")
            }
        }
    }

    func testTheJobScreensBarPutsTheNextStepUnderTheThumb() {
        XCTAssertEqual(JobBarActions(offered: [.onHold, .inProgress]).primary, .inProgress)
        XCTAssertEqual(JobBarActions(offered: [.onHold, .inProgress]).secondary, [.onHold])
        XCTAssertEqual(JobBarActions(offered: [.enRoute]).primary, .enRoute)
        XCTAssertEqual(JobBarActions(offered: [.enRoute]).secondary, [])
        // Only a hold on offer: it is the main action.
        XCTAssertEqual(JobBarActions(offered: [.onHold]).primary, .onHold)
        XCTAssertEqual(JobBarActions(offered: [.completed, .onHold]).secondary, [.onHold])
        XCTAssertNil(JobBarActions(offered: []).primary)
    }

    /// The app's views name no text style below 16 pt: no `.subheadline` (15), `.footnote` (13),
    /// `.caption` (12), `.caption2` (11), nor a fixed size below 16; and the job screen's
    /// statuses sit in a bottom bar of 56 pt actions.
    func testTheAppsViewsUseNoTextBelow16Points() throws {
        let views = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // FieldworkShellTests
            .deletingLastPathComponent() // Tests
            .deletingLastPathComponent() // ios
            .appendingPathComponent("App/Fieldwork/Views")
        let files = try FileManager.default.contentsOfDirectory(at: views, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" }
        XCTAssertGreaterThan(files.count, 10)
        let small = try NSRegularExpression(pattern: #"\.(subheadline|footnote|caption2?)\b(?!\s*=)"#)
        let fixed = try NSRegularExpression(pattern: #"\.system\(size:\s*([0-9.]+)"#)
        var sources: [String: String] = [:]
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            sources[file.lastPathComponent] = text
            for (n, line) in text.components(separatedBy: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                let range = NSRange(line.startIndex..., in: line)
                for match in small.matches(in: line, range: range) {
                    // `.caption` as a property (a photo's caption) is not a font.
                    let word = (line as NSString).substring(with: match.range)
                    let before = (line as NSString).substring(to: match.range.location)
                    if word == ".caption", !before.hasSuffix(".font(") && !before.hasSuffix("Font") { continue }
                    XCTFail("\(file.lastPathComponent):\(n + 1): \(word) is below 16 pt: \(line)")
                }
                for match in fixed.matches(in: line, range: range) {
                    let size = Double((line as NSString).substring(with: match.range(at: 1))) ?? 0
                    XCTAssertGreaterThanOrEqual(size, 16, "\(file.lastPathComponent):\(n + 1): \(line)")
                }
            }
        }
        let job = try XCTUnwrap(sources["JobDetailView.swift"])
        XCTAssertTrue(job.contains(".safeAreaInset(edge: .bottom)"), "the job screen's bottom bar")
        XCTAssertTrue(job.contains("PrimaryActionStyle()"), "the job screen's main action")
        let theme = try XCTUnwrap(sources["FieldTheme.swift"])
        XCTAssertTrue(theme.contains("minHeight: FieldMetrics.primaryActionHeight"), "56 pt actions")
        XCTAssertTrue(theme.contains("colorSchemeContrast"), "the phone's Increase Contrast")
    }
}
