import FieldworkBindings
import Foundation
import Observation

/// Today's jobs (or all of them), each with its SLA risk, refreshed whenever the core says
/// jobs changed. Today is every open job (unscheduled break-fix work and yesterday's
/// carry-overs included) and the jobs closed that are scheduled today, as on Android.
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
            let records = try await repository.jobs(at: current)
            let shown = showAll ? records : records.filter { record in
                let closed = record.status == .completed || record.status == .cancelled
                let scheduledToday = record.scheduledStartMs.map {
                    calendar.isDate(Date(epochMilliseconds: $0), inSameDayAs: current)
                } ?? false
                return !closed || scheduledToday
            }
            rows = shown.map { JobRow(record: $0) }
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
