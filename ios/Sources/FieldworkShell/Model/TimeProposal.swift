import FieldworkBindings
import Foundation

// Time the core proposes from the job's status timeline (`FieldworkApp.proposedTimes`): travel
// from en route to the next step, labour from in progress to the next step, not yet recorded.
// The shell only says it; which spans are proposed is the core's rule.

extension ProposedTimeRecord {
    public var start: Date { Date(epochMilliseconds: startMs) }
    public var end: Date { Date(epochMilliseconds: endMs) }

    /// The proposal in words at the site's clock, in a language given its Localizable.strings
    /// lookup: `job.time_proposal` ("Travel 08:10–08:45, add?") or the Add and Edit buttons'
    /// accessibility labels (`job.time_proposal_add_label`, `job.time_proposal_edit_label`).
    /// The times are the locale's own (24-hour where it uses it); a span over midnight at the
    /// site has a date with each time.
    public func text(_ key: String = "job.time_proposal", zone: String, locale: Locale = .current, _ localize: (String) -> String) -> String {
        let span = SiteTime.span(startMs, endMs, zone: zone, locale: locale)
        return String(format: localize(key), localize(kind.labelKey), span.start, span.end)
    }
}
