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

    /// The stored JPEG, if this device holds it.
    public func bytes(attachmentId: String) async throws -> Data? {
        try app.attachmentBytes(attachmentId: attachmentId)
    }
}
