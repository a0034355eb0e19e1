import FieldworkBindings
import Foundation
import Observation

/// Today's jobs (or all of them), each with its SLA risk, refreshed whenever the core says
/// jobs changed.
@MainActor
@Observable
public final class TodayViewModel {
    public private(set) var rows: [JobRow] = []
    public private(set) var message: UserMessage?
    /// All the technician's jobs instead of those scheduled today.
    public var showAll = false

    private let repository: JobsRepository
    private let calendar: Calendar
    private let now: @Sendable () -> Date

    public init(repository: JobsRepository, calendar: Calendar = .current, now: @escaping @Sendable () -> Date = { Date() }) {
        self.repository = repository
        self.calendar = calendar
        self.now = now
    }

    public func load() async {
        let current = now()
        do {
            let records: [JobSummaryRecord]
            if showAll {
                records = try await repository.jobs()
            } else {
                let start = calendar.startOfDay(for: current)
                let end = calendar.date(byAdding: .day, value: 1, to: start) ?? start.addingTimeInterval(86_400)
                records = try await repository.jobs(from: start, to: end)
            }
            rows = records.map { JobRow(record: $0, now: current) }
            message = nil
        } catch {
            message = ErrorMessages.message(for: error)
        }
    }

    /// Reloads on every change until the calling task is cancelled (the screen's `.task`).
    public func observeChanges() async {
        for await _ in repository.changes() {
            await load()
        }
    }
}
