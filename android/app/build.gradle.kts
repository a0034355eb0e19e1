// :app — the Android glue: Application (one FieldworkApp per process), Compose host (edge to
// edge, the camera permission), WorkManager sync, connectivity, Keystore-backed secrets, CameraX
// capture, sharing the report PDF.
plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "app.fieldwork.app"
    compileSdk = 36
    // NDK r28 or newer: native code is linked for 16 KB memory pages by default. Android 15+
    // devices may run with 16 KB pages, where a library aligned for 4 KB does not load, and
    // Google Play requires 16 KB support of new apps and updates targeting Android 15+ since
    // 1 November 2025. The version is in gradle/libs.versions.toml (for :ffi's cargo-ndk too).
    ndkVersion = libs.versions.ndk.get()
    defaultConfig {
        applicationId = "app.fieldwork"
        minSdk = 26
        targetSdk = 36
        versionCode = 1
        versionName = "0.1.0"
    }
    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"))
        }
    }
    buildFeatures {
        compose = true
        buildConfig = true
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    // The core is one .so per ABI; keep it uncompressed and page-aligned in the APK (AGP 8.5.1+
    // aligns uncompressed libraries at 16 KB; the ELF segments are 16 KB aligned by NDK r28).
    packaging { jniLibs { useLegacyPackaging = false } }
    // Side-loaded builds (the office's own distribution, no Play App Bundle to split by device):
    // one APK per ABI so a phone downloads only its own copy of the core, plus a universal APK
    // for when the ABI is not known. Only the ABIs :ffi builds the core for (arm64-v8a for
    // phones, x86_64 for emulators and Chromebooks): an armeabi-v7a APK would hold JNA but no
    // libfieldwork_ffi.so and fail at start. Play builds use the bundle (bundleRelease), which
    // splits by ABI itself.
    splits {
        abi {
            isEnable = true
            reset()
            include("arm64-v8a", "x86_64")
            isUniversalApk = true
        }
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    implementation(project(":shell"))
    implementation(project(":ui"))
    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.activity.compose)
    implementation(platform(libs.androidx.compose.bom))
    implementation(libs.androidx.compose.ui)
    implementation(libs.androidx.compose.foundation)
    implementation(libs.androidx.compose.material3)
    implementation(libs.androidx.lifecycle.viewmodel.compose)
    implementation(libs.kotlinx.coroutines.android)
    implementation(libs.androidx.work.runtime.ktx)
    implementation(libs.androidx.camera.core)
    implementation(libs.androidx.camera.camera2)
    implementation(libs.androidx.camera.lifecycle)
    implementation(libs.androidx.camera.view)
}
