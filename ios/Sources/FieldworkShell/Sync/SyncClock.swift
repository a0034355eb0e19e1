import Foundation

/// The time the sync schedule runs on: a clock that never jumps for its waits, the wall clock
/// for what the screen says ("last sent 3 minutes ago"), and timers. Injected so that tests
/// (the scenarios table) run the view model in virtual time.
@MainActor
public protocol SyncClock: AnyObject {
    /// Seconds since some fixed instant, on a clock that never jumps (waits are measured on it).
    var now: TimeInterval { get }
    /// The wall clock.
    var date: Date { get }
    /// Calls `action` on the main actor once `now` reaches `deadline`, unless cancelled first.
    func schedule(at deadline: TimeInterval, _ action: @escaping @MainActor @Sendable () -> Void) -> SyncTimer
}

/// A scheduled call of a `SyncClock`.
@MainActor
public final class SyncTimer {
    private var onCancel: (() -> Void)?

    public init(onCancel: @escaping () -> Void) {
        self.onCancel = onCancel
    }

    public func cancel() {
        onCancel?()
        onCancel = nil
    }
}

/// The real clock: `ContinuousClock` (it keeps counting while the phone sleeps, so a retry due
/// during a suspension runs as soon as the app runs again) and `Task.sleep` timers.
@MainActor
public final class SystemSyncClock: SyncClock {
    private let origin: ContinuousClock.Instant

    public nonisolated init() {
        origin = ContinuousClock.now
    }

    public var now: TimeInterval {
        let elapsed = origin.duration(to: ContinuousClock.now).components
        return TimeInterval(elapsed.seconds) + TimeInterval(elapsed.attoseconds) * 1e-18
    }

    public var date: Date { Date() }

    public func schedule(at deadline: TimeInterval, _ action: @escaping @MainActor @Sendable () -> Void) -> SyncTimer {
        let delay = max(0, deadline - now)
        let task = Task { @MainActor in
            do {
                try await Task.sleep(for: .seconds(delay))
            } catch {
                return
            }
            action()
        }
        return SyncTimer { task.cancel() }
    }
}
