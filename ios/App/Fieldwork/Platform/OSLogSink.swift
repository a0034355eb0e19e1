import FieldworkBindings
import Foundation
import os

/// The core's log events into the unified log. Messages carry ids, never customer names or
/// note text, so they are logged as public.
final class OSLogSink: LogSink {
    func log(record: LogRecord) {
        let logger = Logger(subsystem: "app.fieldwork.core", category: record.target)
        let text = record.spans.isEmpty ? record.message : "\(record.spans): \(record.message)"
        switch record.level {
        case .error:
            logger.error("\(text, privacy: .public)")
        case .warn:
            logger.warning("\(text, privacy: .public)")
        case .info:
            logger.info("\(text, privacy: .public)")
        case .debug, .trace:
            logger.debug("\(text, privacy: .public)")
        }
    }
}
