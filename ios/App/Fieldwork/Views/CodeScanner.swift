import FieldworkShell
import SwiftUI
import UIKit
import Vision
import VisionKit

extension BarcodeKind {
    var symbology: VNBarcodeSymbology {
        switch self {
        case .qr: return .qr
        case .code128: return .code128
        case .code39: return .code39
        case .ean13: return .ean13
        case .dataMatrix: return .dataMatrix
        }
    }
}

/// VisionKit's live scanner for SwiftUI: reports each code's text as it comes into view (one
/// at a time, highlighted, pinch to zoom). Only where `CodeScanner.isAvailable`.
struct CodeScanner: UIViewControllerRepresentable {
    let kinds: [BarcodeKind]
    let onCode: @MainActor (String) -> Void

    /// A device with the scanner (A12 or later) whose camera the technician allowed.
    @MainActor
    static var isAvailable: Bool {
        DataScannerViewController.isSupported && DataScannerViewController.isAvailable
    }

    func makeUIViewController(context: Context) -> DataScannerViewController {
        let scanner = DataScannerViewController(
            recognizedDataTypes: [.barcode(symbologies: kinds.map(\.symbology))],
            qualityLevel: .balanced,
            recognizesMultipleItems: false,
            isHighFrameRateTrackingEnabled: false,
            isPinchToZoomEnabled: true,
            isGuidanceEnabled: true,
            isHighlightingEnabled: true
        )
        scanner.delegate = context.coordinator
        return scanner
    }

    func updateUIViewController(_ scanner: DataScannerViewController, context: Context) {
        context.coordinator.onCode = onCode
        if !scanner.isScanning {
            try? scanner.startScanning()
        }
    }

    static func dismantleUIViewController(_ scanner: DataScannerViewController, coordinator: Coordinator) {
        scanner.stopScanning()
    }

    func makeCoordinator() -> Coordinator {
        Coordinator(onCode: onCode)
    }

    @MainActor
    final class Coordinator: NSObject, DataScannerViewControllerDelegate {
        var onCode: @MainActor (String) -> Void

        init(onCode: @escaping @MainActor (String) -> Void) {
            self.onCode = onCode
        }

        func dataScanner(_ dataScanner: DataScannerViewController, didAdd addedItems: [RecognizedItem], allItems: [RecognizedItem]) {
            for item in addedItems {
                if case .barcode(let barcode) = item, let payload = barcode.payloadStringValue {
                    onCode(payload)
                    return
                }
            }
        }

        func dataScanner(_ dataScanner: DataScannerViewController, didTapOn item: RecognizedItem) {
            if case .barcode(let barcode) = item, let payload = barcode.payloadStringValue {
                onCode(payload)
            }
        }
    }
}

/// A scan on its own sheet: the live scanner where the phone has one and the camera is allowed;
/// else why not, a way to the camera setting, and a field to type or paste the code's text.
/// `take` says whether the code was taken (the sheet closes) or refused (it says so and keeps
/// looking).
struct CodeScanSheet: View {
    let title: LocalizedStringKey
    let purpose: ScanPurpose
    /// Said when `take` refuses a code.
    let refusedKey: LocalizedStringKey
    let take: @MainActor (String) -> Bool
    @Environment(\.dismiss) private var dismiss
    @State private var refused = false
    @State private var typed = ""

    var body: some View {
        NavigationStack {
            Group {
                if CodeScanner.isAvailable {
                    CodeScanner(kinds: purpose.kinds) { payload in
                        submit(payload)
                    }
                    .ignoresSafeArea(edges: .bottom)
                    .accessibilityLabel(Text("scan.camera_label"))
                    .overlay(alignment: .bottom) {
                        Label {
                            Text(refused ? refusedKey : "scan.hint")
                        } icon: {
                            Image(systemName: refused ? "exclamationmark.triangle.fill" : "viewfinder")
                        }
                        .font(.field(.headline))
                        .padding()
                        .frame(maxWidth: .infinity)
                        .background(.regularMaterial)
                        .accessibilityElement(children: .combine)
                    }
                } else {
                    fallback
                }
            }
            .navigationTitle(title)
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button("form.cancel") { dismiss() }
                        .accessibilityLabel(Text("scan.cancel_label"))
                }
            }
        }
    }

    /// No live scanner: the camera is not allowed, or this phone cannot scan.
    private var fallback: some View {
        Form {
            Section {
                Label("scan.unavailable", systemImage: "camera.badge.ellipsis")
                    .font(.field(.body))
                if DataScannerViewController.isSupported, let settings = URL(string: UIApplication.openSettingsURLString) {
                    Link(destination: settings) {
                        Text("scan.open_settings").frame(minHeight: FieldMetrics.minimumTouchTarget)
                    }
                    .accessibilityLabel(Text("scan.open_settings"))
                }
            }
            Section("scan.type_title") {
                TextField("scan.type_placeholder", text: $typed, axis: .vertical)
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                    .accessibilityLabel(Text("scan.type_placeholder"))
                if refused {
                    Label { Text(refusedKey) } icon: { Image(systemName: "exclamationmark.triangle.fill") }
                        .foregroundStyle(.field(.error))
                        .accessibilityElement(children: .combine)
                }
                Button("scan.use") { submit(typed) }
                    .buttonStyle(PrimaryActionStyle())
                    .disabled(typed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
                    .accessibilityLabel(Text("scan.use"))
            }
        }
    }

    private func submit(_ payload: String) {
        if take(payload) {
            dismiss()
        } else {
            refused = true
        }
    }
}
