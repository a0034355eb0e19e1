import UIKit

/// The core takes JPEG or PNG; the library also hands over HEIC and others, which are
/// re-encoded as JPEG (the core then scales, orients and strips them).
enum PhotoData {
    static func forCore(_ data: Data) -> Data? {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF]
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47]
        if data.starts(with: jpeg) || data.starts(with: png) {
            return data
        }
        return UIImage(data: data)?.jpegData(compressionQuality: 0.9)
    }
}
