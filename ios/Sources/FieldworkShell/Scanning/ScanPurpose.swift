import Foundation

/// The barcode symbologies the phone reads (the app maps them to VisionKit's).
public enum BarcodeKind: String, CaseIterable, Sendable {
    case qr, code128, code39, ean13, dataMatrix
}

/// A part form field a barcode can fill.
public enum PartScanField: String, CaseIterable, Identifiable, Sendable {
    /// The part number.
    case sku
    /// The serial of the part fitted.
    case serialIn
    /// The serial of the part removed.
    case serialOut

    public var id: String { rawValue }
}

/// What a scan is for, and so which codes the camera looks for.
public enum ScanPurpose: Equatable, Sendable {
    /// The office's enrollment QR code (`EnrollmentCode`).
    case enrollment
    /// A part number or serial: the labels on parts and equipment (QR, Code 128, Code 39,
    /// EAN-13, Data Matrix).
    case part(PartScanField)

    public var kinds: [BarcodeKind] {
        switch self {
        case .enrollment: return [.qr]
        case .part: return [.qr, .code128, .code39, .ean13, .dataMatrix]
        }
    }
}

extension PartForm {
    /// Puts a scanned code into `field`: white space and control characters around it are
    /// dropped (a GS1 code's group separators inside it are kept). False, the field unchanged,
    /// when nothing is left.
    @discardableResult
    public mutating func fill(_ field: PartScanField, scanned payload: String) -> Bool {
        let value = payload.trimmingCharacters(in: .whitespacesAndNewlines.union(.controlCharacters))
        guard !value.isEmpty else { return false }
        switch field {
        case .sku: sku = value
        case .serialIn: serialIn = value
        case .serialOut: serialOut = value
        }
        return true
    }

    public func value(of field: PartScanField) -> String {
        switch field {
        case .sku: return sku
        case .serialIn: return serialIn
        case .serialOut: return serialOut
        }
    }
}
