import FieldworkBindings
import Foundation

// The report's words as the core gives them (`signingPreview`, `reportOutline`): the exact
// words its PDF prints, in the report's language. The screens lay them out and translate
// nothing; these are only ways to read the outcome and find words in the outline.

extension OutlineOutcomeRecord {
    /// The outcome's heading ("Signature", "Refusal", or the preview's).
    public var title: String {
        switch self {
        case .preview(let title, _, _): return title
        case .signed(let title, _, _): return title
        case .refused(let title, _): return title
        }
    }

    /// The sentence the customer confirms by signing (a preview), or confirmed (signed).
    public var attestation: String? {
        switch self {
        case .preview(_, _, let attestation): return attestation
        case .signed(_, _, let attestation): return attestation
        case .refused: return nil
        }
    }

    /// "Not signed: this is a preview." on a preview.
    public var notice: String? {
        switch self {
        case .preview(_, let notice, _): return notice
        case .signed, .refused: return nil
        }
    }

    /// Who signed or refused, when and why.
    public var fields: [OutlineFieldRecord] {
        switch self {
        case .preview: return []
        case .signed(_, let fields, _): return fields
        case .refused(_, let fields): return fields
        }
    }
}

extension ReportOutlineRecord {
    /// Every word the outline holds, in reading order (tests, and searching a report).
    public var allWords: [String] {
        var words = [title, job, status]
        for field in overview {
            words += [field.label, field.value]
        }
        for section in sections {
            words.append(section.title)
            if let paragraph = section.paragraph {
                words.append(paragraph)
            }
            words += section.columns.map(\.title)
            for row in section.rows {
                words += row.cells
            }
            if let note = section.note {
                words.append(note)
            }
        }
        words.append(photosTitle)
        words += photos.map(\.words)
        words.append(outcome.title)
        if let notice = outcome.notice {
            words.append(notice)
        }
        for field in outcome.fields {
            words += [field.label, field.value]
        }
        if let attestation = outcome.attestation {
            words.append(attestation)
        }
        return words
    }

    /// Whether a table row anywhere in the report has a cell equal to `cell`.
    public func hasRow(withCell cell: String) -> Bool {
        sections.contains { section in section.rows.contains { $0.cells.contains(cell) } }
    }
}
