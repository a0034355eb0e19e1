import FieldworkBindings
import Foundation

/// The technician's jobs and every edit of a visit. Local reads and writes are short and
/// durable when they return; the async methods run them off the main actor.
public final class JobsRepository: Sendable {
    let app: FieldworkApp

    public init(app: FieldworkApp) {
        self.app = app
    }

    public func jobs() async throws -> [JobSummaryRecord] {
        try app.jobs()
    }

    /// The jobs with their SLA states as of `date` (the screen's clock).
    public func jobs(at date: Date) async throws -> [JobSummaryRecord] {
        try app.jobsAt(atMs: date.epochMilliseconds)
    }

    /// The statuses the core offers next for a job, in the order the buttons show them.
    public func offeredStatuses(jobId: String) async throws -> [JobStatus] {
        try app.offeredStatuses(jobId: jobId)
    }

    public func jobs(from start: Date, to end: Date) async throws -> [JobSummaryRecord] {
        try app.jobsBetween(fromMs: start.epochMilliseconds, toMs: end.epochMilliseconds)
    }

    /// Everything the job screen shows, typed, SLA judged as of now.
    public func detail(jobId: String) async throws -> JobDetailRecord {
        try app.jobDetail(jobId: jobId)
    }

    /// The job screen's record with its SLA judged as of `date` (the screen's clock).
    public func detail(jobId: String, at date: Date) async throws -> JobDetailRecord {
        try app.jobDetailAt(jobId: jobId, atMs: date.epochMilliseconds)
    }

    /// The job JSON the office also serves, as text: for comparing the phone's job with the
    /// office's (tests, diagnostics). The screens render `detail` and parse nothing.
    public func officeJSON(jobId: String) async throws -> String {
        try app.jobJson(jobId: jobId)
    }

    /// Moves the job to `status`, as of now (or `at`: a step the technician took earlier).
    public func setStatus(jobId: String, status: JobStatus, at date: Date? = nil) async throws {
        try app.setStatus(jobId: jobId, status: status, atMs: date?.epochMilliseconds)
    }

    @discardableResult
    public func addNote(jobId: String, text: String) async throws -> String {
        try app.addNote(jobId: jobId, text: text, atMs: nil)
    }

    @discardableResult
    public func addPart(jobId: String, part: NewPartRecord) async throws -> String {
        try app.addPart(jobId: jobId, part: part, atMs: nil)
    }

    public func removePart(jobId: String, lineId: String) async throws {
        try app.removePart(jobId: jobId, lineId: lineId, atMs: nil)
    }

    @discardableResult
    public func addTime(jobId: String, kind: TimeKind, start: Date, end: Date) async throws -> String {
        try app.addTime(jobId: jobId, kind: kind, startMs: start.epochMilliseconds, endMs: end.epochMilliseconds)
    }

    /// Travel and labour the job's status timeline shows and the technician has not recorded
    /// yet (en route to the next step, in progress to the next step), oldest first: the core's
    /// proposals, to confirm (`addTime` with the same kind and times) or edit.
    public func proposedTimes(jobId: String) async throws -> [ProposedTimeRecord] {
        try app.proposedTimes(jobId: jobId)
    }

    public func recordDiagnosis(jobId: String, cause: FaultCause, faultCode: String, action: String?) async throws {
        try app.recordDiagnosis(jobId: jobId, cause: cause, faultCode: faultCode, action: action, atMs: nil)
    }

    public func issueLoaner(jobId: String, serial: String, model: String) async throws {
        try app.issueLoaner(jobId: jobId, serial: serial, model: model, atMs: nil)
    }

    public func returnLoaner(jobId: String, serial: String) async throws {
        try app.returnLoaner(jobId: jobId, serial: serial, atMs: nil)
    }

    public func openLoans() async throws -> [OpenLoanRecord] {
        try app.openLoans()
    }

    public func recordCheck(jobId: String, item: String, result: String, note: String?) async throws {
        try app.recordCheck(jobId: jobId, item: item, result: result, note: note, atMs: nil)
    }

    /// Every change to the technician's jobs (a local edit or a sync) until the stream's
    /// consumer stops listening, which cancels the core's subscription.
    public func changes() -> AsyncStream<JobsChange> {
        AsyncStream { continuation in
            let subscription = app.observeJobs(observer: JobsChangeRelay(continuation))
            continuation.onTermination = { _ in
                subscription.cancel()
            }
        }
    }
}

/// The core's JobsObserver, forwarding each change into an AsyncStream. The core calls it on
/// the thread that made the change; consumers hop to their own actor.
final class JobsChangeRelay: JobsObserver {
    private let continuation: AsyncStream<JobsChange>.Continuation

    init(_ continuation: AsyncStream<JobsChange>.Continuation) {
        self.continuation = continuation
    }

    func jobsChanged(change: JobsChange) {
        continuation.yield(change)
    }
}
