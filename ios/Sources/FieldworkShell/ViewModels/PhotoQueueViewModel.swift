import FieldworkBindings
import Foundation
import Observation

/// Photos of the technician's jobs and whether the office holds them yet. The core uploads
/// them (resumably, before the job changes) at each sync. A photo taken by mistake can be
/// removed by the technician who took it (the record's `removable`).
@MainActor
@Observable
public final class PhotoQueueViewModel {
    public struct Item: Identifiable, Equatable, Sendable {
        public let jobId: String
        /// The core's record of the photo (caption, when taken, uploaded, held on this phone).
        public let photo: PhotoRecord
        /// The job site's time zone: when it was taken reads as the site's clock.
        public let siteTimeZone: String

        public init(jobId: String, photo: PhotoRecord, siteTimeZone: String) {
            self.jobId = jobId
            self.photo = photo
            self.siteTimeZone = siteTimeZone
        }

        public var id: String { photo.id }
        public var caption: String? { photo.caption }
        public var takenAt: Date { Date(epochMilliseconds: photo.takenAtMs) }
        public var uploaded: Bool { photo.uploaded }
        /// Only the technician who took it may remove it (the core says so).
        public var removable: Bool { photo.removable }
    }

    public private(set) var items: [Item] = []
    public private(set) var message: UserMessage?
    public private(set) var isWorking = false

    private let jobs: JobsRepository
    private let photos: PhotosRepository

    public init(jobs: JobsRepository, photos: PhotosRepository) {
        self.jobs = jobs
        self.photos = photos
    }

    /// Photos the office does not hold yet.
    public var waiting: [Item] { items.filter { !$0.uploaded } }

    public func load() async {
        do {
            var found: [Item] = []
            for job in try await jobs.jobs() {
                let detail = try await jobs.detail(jobId: job.id)
                found += detail.photos.map { Item(jobId: job.id, photo: $0, siteTimeZone: detail.site.timeZone) }
            }
            items = found.sorted { $0.photo.takenAtMs > $1.photo.takenAtMs }
            message = nil
        } catch {
            message = ErrorMessages.message(for: error)
        }
    }

    /// Adds a photo (JPEG or PNG bytes from the camera or the library) to a job.
    @discardableResult
    public func add(jobId: String, data: Data, caption: String?) async -> AttachmentRecord? {
        isWorking = true
        defer { isWorking = false }
        do {
            let caption = caption?.isEmpty == true ? nil : caption
            let record = try await photos.add(jobId: jobId, data: data, caption: caption)
            message = nil
            await load()
            return record
        } catch {
            message = ErrorMessages.message(for: error)
            return nil
        }
    }

    /// Removes a photo taken by mistake (offered only where `removable`); a refusal is said as
    /// the job screen says it.
    @discardableResult
    public func remove(_ item: Item) async -> Bool {
        isWorking = true
        defer { isWorking = false }
        do {
            try await photos.remove(jobId: item.jobId, attachmentId: item.id)
            message = nil
            await load()
            return true
        } catch {
            message = ErrorMessages.message(for: error)
            return false
        }
    }

    /// The photo's thumbnail (a small JPEG from the core), nil when this phone does not hold it.
    public func thumbnail(for item: Item) async -> Data? {
        try? await photos.thumbnail(of: item.photo)
    }
}
