import FieldworkBindings
import Foundation
import Security

/// The core's SecretStore on the iOS Keychain: one generic password per key, readable after
/// the first unlock (background sync) and never leaving this device (no backup, no iCloud).
final class KeychainSecretStore: SecretStore {
    private let service: String

    init(service: String = "app.fieldwork.secrets") {
        self.service = service
    }

    func get(key: String) throws -> String? {
        var query = itemQuery(key)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecItemNotFound {
            return nil
        }
        guard status == errSecSuccess else {
            throw failure("read", key, status)
        }
        guard let data = item as? Data, let value = String(data: data, encoding: .utf8) else {
            throw SecretStoreError.Failed(detail: "Keychain item \(key) is not UTF-8 text")
        }
        return value
    }

    func set(key: String, value: String) throws {
        let attributes: [String: Any] = [
            kSecValueData as String: Data(value.utf8),
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        let updated = SecItemUpdate(itemQuery(key) as CFDictionary, attributes as CFDictionary)
        if updated == errSecSuccess {
            return
        }
        guard updated == errSecItemNotFound else {
            throw failure("update", key, updated)
        }
        let item = itemQuery(key).merging(attributes) { _, new in new }
        let added = SecItemAdd(item as CFDictionary, nil)
        guard added == errSecSuccess else {
            throw failure("store", key, added)
        }
    }

    func delete(key: String) throws {
        let status = SecItemDelete(itemQuery(key) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw failure("delete", key, status)
        }
    }

    private func itemQuery(_ key: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: key,
        ]
    }

    private func failure(_ action: String, _ key: String, _ status: OSStatus) -> SecretStoreError {
        let reason = (SecCopyErrorMessageString(status, nil) as String?) ?? "OSStatus \(status)"
        return SecretStoreError.Failed(detail: "Keychain could not \(action) \(key): \(reason)")
    }
}
