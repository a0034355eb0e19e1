import FieldworkBindings
import FieldworkShell
import SwiftUI
import UIKit

/// A report in the exact words its PDF prints (the core's `ReportOutlineRecord`), in the
/// report's language: the heading, the overview fields, each section (a paragraph, or a table
/// with its note), the photos with their words, and the outcome. The app translates and
/// computes none of it; it only lays the words out for a phone (a table's rows as cards on a
/// narrow screen, a grid on a wide one).
struct ReportOutlineSections: View {
    let outline: ReportOutlineRecord
    /// A photo's thumbnail by attachment id (nil when this phone does not hold it).
    let thumbnail: (String) async -> Data?
    /// The outcome's attestation sentence here; the review shows it beside the signer instead.
    var includeAttestation = true
    @Environment(\.horizontalSizeClass) private var sizeClass

    var body: some View {
        Section {
            VStack(alignment: .leading, spacing: 4) {
                Text(verbatim: outline.title).font(.title2.bold())
                Text(verbatim: outline.job).font(.headline)
                Text(verbatim: outline.status).foregroundStyle(.field(.secondaryText))
            }
            .accessibilityElement(children: .combine)
            .accessibilityAddTraits(.isHeader)
            ForEach(Array(outline.overview.enumerated()), id: \.offset) { _, field in
                OutlineFieldView(field: field)
            }
        }
        ForEach(Array(outline.sections.enumerated()), id: \.offset) { _, section in
            Section {
                if let paragraph = section.paragraph {
                    Text(verbatim: paragraph)
                }
                if !section.rows.isEmpty {
                    if sizeClass == .regular {
                        OutlineGrid(section: section)
                    } else {
                        ForEach(Array(section.rows.enumerated()), id: \.offset) { _, row in
                            OutlineRowCard(columns: section.columns, row: row)
                        }
                    }
                }
                if let note = section.note {
                    Text(verbatim: note).font(.field(.secondary))
                }
            } header: {
                Text(verbatim: section.title)
            }
        }
        if !outline.photos.isEmpty {
            Section {
                ForEach(outline.photos, id: \.id) { photo in
                    HStack(alignment: .top, spacing: 12) {
                        ThumbnailImage(id: photo.id, load: { await thumbnail(photo.id) }, size: 72)
                        Text(verbatim: photo.words)
                    }
                    .accessibilityElement(children: .combine)
                }
            } header: {
                Text(verbatim: outline.photosTitle)
            }
        }
        Section {
            if let notice = outline.outcome.notice {
                Text(verbatim: notice)
            }
            ForEach(Array(outline.outcome.fields.enumerated()), id: \.offset) { _, field in
                OutlineFieldView(field: field)
            }
            if includeAttestation, let attestation = outline.outcome.attestation {
                Text(verbatim: attestation).font(.body.weight(.semibold))
            }
        } header: {
            Text(verbatim: outline.outcome.title)
        }
    }
}

/// A label above its value (values may run over several lines).
struct OutlineFieldView: View {
    let field: OutlineFieldRecord

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(verbatim: field.label).font(.field(.secondary)).foregroundStyle(.field(.secondaryText))
            Text(verbatim: field.value)
        }
        .accessibilityElement(children: .combine)
    }
}

/// One table row on a narrow screen: each column's title beside its cell; a total in bold.
struct OutlineRowCard: View {
    let columns: [OutlineColumnRecord]
    let row: OutlineRowRecord

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            ForEach(Array(zip(columns, row.cells).enumerated()), id: \.offset) { _, pair in
                LabeledContent {
                    Text(verbatim: pair.1).multilineTextAlignment(.trailing)
                } label: {
                    Text(verbatim: pair.0.title)
                }
            }
        }
        .fontWeight(row.total ? .bold : nil)
        .accessibilityElement(children: .combine)
    }
}

/// A table on a wide screen, as the PDF draws it: a header row, numbers aligned to the end.
struct OutlineGrid: View {
    let section: OutlineSectionRecord

    var body: some View {
        Grid(alignment: .leadingFirstTextBaseline, horizontalSpacing: 12, verticalSpacing: 6) {
            GridRow {
                ForEach(Array(section.columns.enumerated()), id: \.offset) { _, column in
                    Text(verbatim: column.title)
                        .font(.callout.weight(.semibold))
                        .gridColumnAlignment(column.alignEnd ? .trailing : .leading)
                }
            }
            Divider()
            ForEach(Array(section.rows.enumerated()), id: \.offset) { _, row in
                GridRow {
                    ForEach(Array(row.cells.enumerated()), id: \.offset) { _, cell in
                        Text(verbatim: cell).fontWeight(row.total ? .bold : nil)
                    }
                }
            }
        }
    }
}

/// A sealed version as its PDF words it, for the technician to read on the phone (no font to
/// install), with the PDF to share.
struct SealedReportView: View {
    let model: SigningViewModel
    let version: UInt32
    @State private var outline: ReportOutlineRecord?
    @State private var sharedPDF: SharedFile?

    var body: some View {
        List {
            if let outline {
                ReportOutlineSections(outline: outline, thumbnail: { await model.thumbnail(attachmentId: $0) })
            } else if let message = model.message {
                Section { UserMessageView(message: message) }
            } else {
                ProgressView().frame(maxWidth: .infinity)
            }
        }
        .navigationTitle(Text("report.version \(Int(version))"))
        .toolbar {
            ToolbarItem(placement: .primaryAction) {
                Button {
                    Task {
                        if let url = await model.pdfFile(version: version) {
                            sharedPDF = SharedFile(url: url)
                        }
                    }
                } label: {
                    Label("report.share_pdf", systemImage: "square.and.arrow.up")
                }
                .accessibilityLabel(Text("report.share_version \(Int(version))"))
            }
        }
        .sheet(item: $sharedPDF) { file in
            ShareSheet(items: [file.url])
        }
        .task { outline = await model.sealedOutline(version: version) }
    }
}
