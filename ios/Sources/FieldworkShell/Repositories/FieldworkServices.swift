import FieldworkBindings
import Foundation

/// The repositories over one opened store, built once per process.
public struct FieldworkServices: Sendable {
    public let enrollment: EnrollmentRepository
    public let jobs: JobsRepository
    public let reports: ReportsRepository
    public let photos: PhotosRepository
    public let sync: SyncRepository
    public let stock: StockRepository

    public init(app: FieldworkApp, fontPath: String? = nil) {
        enrollment = EnrollmentRepository(app: app)
        jobs = JobsRepository(app: app)
        reports = ReportsRepository(app: app, fontPath: fontPath)
        photos = PhotosRepository(app: app)
        sync = SyncRepository(app: app)
        stock = StockRepository(app: app)
    }

    /// Opens (or creates) the store in `dataDirectory` with the device's token and signing
    /// key in `secrets` (the Keychain in the app).
    public static func open(dataDirectory: URL, secrets: SecretStore, fontPath: String? = nil) throws -> FieldworkServices {
        let app = try FieldworkApp.openWithSecrets(dataDir: dataDirectory.path, secrets: secrets)
        return FieldworkServices(app: app, fontPath: fontPath)
    }
}
