// swift-tools-version:5.9
// The iOS side of Fieldwork: the Rust core as an XCFramework, its generated Swift bindings, and
// the shell (view models and repositories) the SwiftUI app in App/ is built on.
// Run scripts/build-xcframework.sh first: it builds FieldworkFFI.xcframework and writes the
// generated bindings into Sources/FieldworkBindings (neither is committed).
import PackageDescription

let package = Package(
    name: "Fieldwork",
    platforms: [.iOS(.v17)],
    products: [
        .library(name: "FieldworkShell", targets: ["FieldworkShell"]),
        .library(name: "FieldworkBindings", targets: ["FieldworkBindings"]),
    ],
    targets: [
        // libfieldwork_ffi.a per platform as a static framework whose module is
        // FieldworkFFIFFI, the C module the generated Swift imports.
        .binaryTarget(name: "FieldworkFFI", path: "FieldworkFFI.xcframework"),
        // FieldworkFFI.swift as uniffi generates it (library mode), never edited.
        .target(
            name: "FieldworkBindings",
            dependencies: ["FieldworkFFI"],
            path: "Sources/FieldworkBindings"
        ),
        .target(
            name: "FieldworkShell",
            dependencies: ["FieldworkBindings"],
            path: "Sources/FieldworkShell"
        ),
        .testTarget(
            name: "FieldworkShellTests",
            dependencies: ["FieldworkShell", "FieldworkBindings"],
            path: "Tests/FieldworkShellTests"
        ),
    ]
)
