import FieldworkBindings
import Foundation
import os

/// What to tell the user about a failure and what they can do about it. `key` is a key of the
/// app's Localizable.strings and `arguments` fill its `%1$@`, `%2$lld`...; `detail` is the
/// core's own message, in English: for the log, and shown only where it helps the user or the
/// office's IT (`shownDetail`). A value the core refused is said from its reason, never from
/// the English detail.
public struct UserMessage: Error, Equatable, Sendable {
    public enum Recovery: Equatable, Sendable {
        /// Nothing to do: work goes on and it sorts itself out (offline).
        case none
        case correctInput
        case retryLater
        case signAgain
        case chooseAnotherPhoto
        /// The office no longer accepts this device: ask dispatch for a new code.
        case enrollAgain
        /// The office's certificate is not trusted: their IT must fix it; retrying will not.
        case contactOffice
        /// The office no longer speaks this app's sync protocol: update the app (work is kept).
        case updateApp
        case reportProblem
    }

    /// A value put into the message.
    public enum Argument: Equatable, Sendable {
        /// As it is (a serial number, a checklist item, the office's address): `%@`.
        case text(String)
        /// A number: `%lld`.
        case number(Int64)
        /// Words from Localizable.strings (a field or a status in words): `%@`.
        case words(String)
    }

    public let key: String
    public let arguments: [Argument]
    public let detail: String
    public let recovery: Recovery

    public init(key: String, arguments: [Argument] = [], detail: String = "", recovery: Recovery) {
        self.key = key
        self.arguments = arguments
        self.detail = detail
        self.recovery = recovery
    }

    /// Messages whose detail is meant to be read: a certificate the office's IT must fix, a
    /// server, storage or rendering failure to report. Every other detail stays in the log.
    public static let keysShowingDetail: Set<String> = [
        "error.tls", "error.server", "error.render", "error.storage", "error.internal", "error.unexpected",
    ]

    /// The core's words to show under the message, or nil when they are only for the log.
    public var shownDetail: String? {
        guard !detail.isEmpty, Self.keysShowingDetail.contains(key) else { return nil }
        return detail
    }

    /// A headline without arguments, for a status line that has room for a few words: the key
    /// itself, or for a refused value or photo the general message of its kind.
    public var headlineKey: String {
        guard !arguments.isEmpty else { return key }
        return key.hasPrefix("image.") ? "error.bad_image" : "error.invalid_input"
    }

    /// The message in a language, given its Localizable.strings lookup (the app's bundle, or a
    /// table read from the repository in tests): the key's format with the arguments put in.
    public func text(_ localize: (String) -> String) -> String {
        let format = localize(key)
        guard !arguments.isEmpty else { return format }
        let values = arguments.map { argument -> CVarArg in
            switch argument {
            case .text(let text): return text
            case .number(let number): return number
            case .words(let key): return localize(key)
            }
        }
        return String(format: format, arguments: values)
    }
}

/// The one place that turns the core's errors into what the screens show.
public enum ErrorMessages {
    private static let log = Logger(subsystem: "app.fieldwork.shell", category: "errors")

    public static func message(for error: Error) -> UserMessage {
        if let message = error as? UserMessage {
            return message
        }
        if let apiError = error as? ApiError {
            let said = message(for: apiError)
            // The core's details name ids and fields, never customer data.
            log.info("\(said.key, privacy: .public): \(said.detail, privacy: .public)")
            return said
        }
        return UserMessage(key: "error.unexpected", detail: String(describing: error), recovery: .reportProblem)
    }

    public static func message(for error: ApiError) -> UserMessage {
        switch error {
        case .InvalidInput(let detail, let reason):
            return message(for: reason, detail: detail)
        case .NotFound(let detail):
            return UserMessage(key: "error.not_found", detail: detail, recovery: .none)
        case .NotEnrolled(let detail):
            return UserMessage(key: "error.not_enrolled", detail: detail, recovery: .enrollAgain)
        case .Offline(let detail):
            return UserMessage(key: "error.offline", detail: detail, recovery: .none)
        case .Tls(let detail):
            return UserMessage(key: "error.tls", detail: detail, recovery: .contactOffice)
        case .Unauthorized(let detail):
            return UserMessage(key: "error.unauthorized", detail: detail, recovery: .enrollAgain)
        case .UpgradeRequired(let detail):
            return UserMessage(key: "error.upgrade_required", detail: detail, recovery: .updateApp)
        case .RateLimited(let detail, _):
            return UserMessage(key: "error.rate_limited", detail: detail, recovery: .none)
        case .Server(let detail):
            return UserMessage(key: "error.server", detail: detail, recovery: .retryLater)
        case .BadSignature(let detail):
            return UserMessage(key: "error.bad_signature", detail: detail, recovery: .signAgain)
        case .BadImage(let detail, let reason):
            return message(for: reason, detail: detail)
        case .CannotSign(let detail):
            return UserMessage(key: "error.cannot_sign", detail: detail, recovery: .none)
        case .Render(let detail):
            return UserMessage(key: "error.render", detail: detail, recovery: .reportProblem)
        case .Storage(let detail):
            return UserMessage(key: "error.storage", detail: detail, recovery: .reportProblem)
        case .Internal(let detail):
            return UserMessage(key: "error.internal", detail: detail, recovery: .reportProblem)
        }
    }

    /// A value the core refused, said from its reason and parameters (fields and statuses in
    /// words); `detail` is kept for the log.
    public static func message(for reason: InputReason, detail: String) -> UserMessage {
        func refused(_ key: String, _ arguments: [UserMessage.Argument] = [], _ recovery: UserMessage.Recovery = .correctInput) -> UserMessage {
            UserMessage(key: key, arguments: arguments, detail: detail, recovery: recovery)
        }
        switch reason {
        case .empty(let field):
            return refused("refused.empty", [.words(fieldKey(field))])
        case .tooLong(let field, let max):
            return refused("refused.too_long", [.words(fieldKey(field)), .number(Int64(clamping: max))])
        case .label(let field, let max):
            return refused("refused.label", [.words(fieldKey(field)), .number(Int64(clamping: max))])
        case .outOfRange(let field, let min, let max, _):
            return refused("refused.out_of_range", [.words(fieldKey(field)), .number(min), .number(max)])
        case .timeOutOfRange(let field, let first, let last):
            return refused("refused.time_out_of_range", [.words(fieldKey(field)), .number(Int64(first)), .number(Int64(last))])
        case .endsBeforeStart:
            return refused("refused.ends_before_start")
        case .spanTooLong(let maxHours):
            return refused("refused.span_too_long", [.number(maxHours)])
        case .unknownStock:
            return refused("refused.unknown_stock")
        case .loanerModelMissing:
            return refused("refused.loaner_model_missing")
        case .loanerAlreadyOut(let serial):
            return refused("refused.loaner_already_out", [.text(serial)])
        case .loanerNotOut(let serial):
            return refused("refused.loaner_not_out", [.text(serial)])
        case .notACheckResult:
            return refused("refused.not_a_check_result")
        case .noSuchCheckItem(let item):
            return refused("refused.no_such_check_item", [.text(item)], .none)
        case .statusNotAllowed(let from, let to):
            return refused("refused.status_not_allowed", [.words(from.labelKey), .words(to.labelKey)], .none)
        case .notATechnicianStatus:
            return refused("refused.not_a_technician_status", [], .none)
        case .notLineAuthor:
            return refused("refused.not_line_author", [], .none)
        case .notPhotoAuthor:
            return refused("refused.not_photo_author", [], .none)
        case .noVan:
            return refused("refused.no_van", [], .none)
        case .jobCancelled:
            return refused("refused.job_cancelled", [], .none)
        case .alreadyEnrolled(let server):
            return refused("refused.already_enrolled", [.text(server)], .none)
        case .other:
            return refused("error.invalid_input")
        }
    }

    /// The office refused a job's last changes (`JobSummaryRecord.syncError`, the office's own
    /// English words): a sentence in the phone's language ("The office refused this job's last
    /// changes: ask dispatch."), the office's words kept as the detail, which the screens show
    /// only behind "Details" (for support). Nil when the office refused nothing.
    public static func syncRefusal(_ officeWords: String?) -> UserMessage? {
        guard let officeWords else { return nil }
        return UserMessage(key: "sync.job_refused", detail: officeWords, recovery: .none)
    }

    /// The office refused a stock movement recorded on this phone (`StockRefusalRecord`, the
    /// office's English words): a sentence in the phone's language ("The office refused a stock
    /// change: ask dispatch."), the office's words kept as the detail, shown only behind
    /// "Details".
    public static func stockRefusal(_ refusal: StockRefusalRecord) -> UserMessage {
        UserMessage(key: "stock.refused", detail: refusal.error, recovery: .none)
    }

    /// A photo the core refused, from its reason.
    public static func message(for reason: ImageReason, detail: String) -> UserMessage {
        func refused(_ key: String, _ arguments: [UserMessage.Argument] = []) -> UserMessage {
            UserMessage(key: key, arguments: arguments, detail: detail, recovery: .chooseAnotherPhoto)
        }
        switch reason {
        case .tooLarge(let maxMib):
            return refused("image.too_large", [.number(Int64(clamping: maxMib))])
        case .notAnImage:
            return refused("image.not_an_image")
        case .tooManyPixels(let width, let height):
            return refused("image.too_many_pixels", [.number(Int64(width)), .number(Int64(height))])
        case .damaged:
            return refused("image.damaged")
        case .cannotSave:
            return refused("image.cannot_save")
        }
    }

    /// The fields the core names in a refusal (as the job JSON names them), in words.
    public static let fieldKeys: [String: String] = [
        "note text": "field.note_text",
        "note": "field.note",
        "qty": "field.qty",
        "sku": "field.sku",
        "description": "field.description",
        "serial_in": "field.serial_in",
        "serial_out": "field.serial_out",
        "fault code": "field.fault_code",
        "action": "field.action",
        "loaner serial": "field.loaner_serial",
        "loaner model": "field.loaner_model",
        "reason": "field.reason",
        "caption": "field.caption",
        "start": "field.start",
        "end": "field.end",
        "at": "field.at",
        "unit_cost": "field.unit_cost",
        "unit_price": "field.unit_price",
    ]

    /// A field the core names, in words; a field this app does not know is "this value".
    public static func fieldKey(_ field: String) -> String {
        fieldKeys[field] ?? "field.this_value"
    }
}
