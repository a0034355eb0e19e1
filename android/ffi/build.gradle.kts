// :ffi — the Rust core as an Android library: the native library per ABI (cargo-ndk) and the
// Kotlin bindings uniffi generates from it (library mode). Both are build outputs, never
// committed. Needs: rustup targets aarch64-linux-android and x86_64-linux-android,
// `cargo install cargo-ndk`, and the NDK (ANDROID_NDK_HOME, or the SDK's ndk/ folder).
import org.gradle.internal.os.OperatingSystem

plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

val repoRoot: File = rootDir.parentFile
val jniLibsDir = layout.projectDirectory.dir("src/main/jniLibs")
val bindingsDir = layout.buildDirectory.dir("generated/uniffi/kotlin")

// The host build of the library: uniffi-bindgen reads the API (names, types, docs) from the
// metadata compiled into it. The same sources build the Android .so files, so the bindings match.
val hostLibrary: File = repoRoot.resolve(
    when {
        OperatingSystem.current().isMacOsX -> "target/debug/libfieldwork_ffi.dylib"
        OperatingSystem.current().isWindows -> "target/debug/fieldwork_ffi.dll"
        else -> "target/debug/libfieldwork_ffi.so"
    },
)

// What the native library is built from (target/ and the shells are not).
val rustSources = fileTree(repoRoot) {
    include("Cargo.toml", "Cargo.lock", "*/Cargo.toml", "*/src/**/*.rs", "bindings/uniffi.toml")
    exclude("target/**", "android/**", "ios/**")
}

val cargoNdk by tasks.registering(Exec::class) {
    group = "rust"
    description = "Cross-compiles fieldwork-ffi for arm64-v8a and x86_64 into src/main/jniLibs."
    workingDir = repoRoot
    commandLine(
        "cargo", "ndk", "-t", "arm64-v8a", "-t", "x86_64", "-o", jniLibsDir.asFile.absolutePath,
        "build", "--profile", "release-mobile", "-p", "fieldwork-ffi",
    )
    // The NDK :app pins (r28+: 16 KB page-aligned .so files), not whichever is newest in the SDK.
    environment("ANDROID_NDK_HOME", android.ndkDirectory.absolutePath)
    inputs.files(rustSources)
    outputs.dir(jniLibsDir)
}

val cargoHostBuild by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds fieldwork-ffi for the build machine (input of uniffi-bindgen)."
    workingDir = repoRoot
    commandLine("cargo", "build", "-p", "fieldwork-ffi")
    inputs.files(rustSources)
    outputs.file(hostLibrary)
}

val generateBindings by tasks.registering(Exec::class) {
    group = "rust"
    description = "Generates the Kotlin bindings (package app.fieldwork.ffi) from the host library."
    dependsOn(cargoHostBuild)
    workingDir = repoRoot
    val out = bindingsDir.get().asFile
    doFirst { out.deleteRecursively(); out.mkdirs() }
    commandLine(
        "cargo", "run", "-p", "fieldwork-ffi", "--bin", "uniffi-bindgen", "--",
        "generate", "--library", hostLibrary.absolutePath, "--language", "kotlin",
        "--out-dir", out.absolutePath,
    )
    inputs.file(hostLibrary)
    inputs.file(repoRoot.resolve("bindings/uniffi.toml"))
    outputs.dir(bindingsDir)
}

android {
    namespace = "app.fieldwork.ffi"
    compileSdk = 36
    ndkVersion = libs.versions.ndk.get()
    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
        ndk { abiFilters += listOf("arm64-v8a", "x86_64") }
    }
    sourceSets["main"].java.srcDir(bindingsDir)
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

tasks.named("preBuild") { dependsOn(cargoNdk, generateBindings) }

dependencies {
    // The generated bindings call the library through JNA (the aar carries libjnidispatch.so).
    api(libs.jna) { artifact { type = "aar" } }
    api(libs.kotlinx.coroutines.core)
}
