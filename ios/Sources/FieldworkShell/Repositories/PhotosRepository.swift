import FieldworkBindings
import Foundation

/// Photos taken on site. The core stores them upright, scaled, stripped of metadata, and
/// uploads them (resumably) at the next sync.
public final class PhotosRepository: Sendable {
    let app: FieldworkApp

    public init(app: FieldworkApp) {
        self.app = app
    }

    public func add(jobId: String, data: Data, caption: String?) async throws -> AttachmentRecord {
        try app.addPhoto(jobId: jobId, data: data, caption: caption)
    }

    /// Removes a photo taken by mistake. Only the technician who took it may (the record says
    /// `removable`; the core refuses anyone else): it leaves the job screen and the next report,
    /// and a report signed before keeps it.
    public func remove(jobId: String, attachmentId: String) async throws {
        try app.removePhoto(jobId: jobId, attachmentId: attachmentId, atMs: nil)
    }

    /// The stored JPEG, if this device holds it.
    public func bytes(attachmentId: String) async throws -> Data? {
        try app.attachmentBytes(attachmentId: attachmentId)
    }

    /// A small JPEG (long edge 320 px) of a photo this phone holds; nil when it does not.
    public func thumbnail(attachmentId: String) async throws -> Data? {
        try app.photoThumbnail(attachmentId: attachmentId)
    }

    /// A photo's thumbnail for the screens: the core's thumbnail file on a store kept plain,
    /// otherwise (the phone's encrypted store keeps no picture in the clear) its bytes from the
    /// core; nil for a photo this phone does not hold.
    public func thumbnail(of photo: PhotoRecord) async throws -> Data? {
        if let path = photo.thumbnailPath, let data = try? Data(contentsOf: URL(fileURLWithPath: path)) {
            return data
        }
        guard photo.onDevice else { return nil }
        return try await thumbnail(attachmentId: photo.id)
    }
}
