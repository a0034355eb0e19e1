import FieldworkBindings
import Foundation
import Observation

/// Photos of the technician's jobs and whether the office holds them yet. The core uploads
/// them (resumably, before the job changes) at each sync.
@MainActor
@Observable
public final class PhotoQueueViewModel {
    public struct Item: Identifiable, Equatable, Sendable {
        public let id: String
        public let jobId: String
        public let caption: String?
        public let takenAt: Date?
        public let bytes: Int64
        public let uploaded: Bool
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
                found += detail.attachments.map {
                    Item(id: $0.id, jobId: job.id, caption: $0.caption, takenAt: WireTime.parse($0.takenAt), bytes: $0.bytes, uploaded: $0.uploaded)
                }
            }
            items = found.sorted { ($0.takenAt ?? .distantPast) > ($1.takenAt ?? .distantPast) }
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

    /// The stored JPEG, for a thumbnail.
    public func imageData(for item: Item) async -> Data? {
        try? await photos.bytes(attachmentId: item.id)
    }
}
