// :shell — the repository, sync policy, error messages and view models. Plain Kotlin with no
// android.* import: the same sources compile on the desktop JVM, where android/jvm/pom.xml
// runs their tests against the host build of the core and the real server (README.md). It is
// an Android library only so that it can depend on :ffi (an aar).
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.serialization)
}

android {
    namespace = "app.fieldwork.shell"
    compileSdk = 36
    defaultConfig { minSdk = 26 }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    testOptions { unitTests.all { it.useJUnitPlatform() } }
}

kotlin { jvmToolchain(17) }

dependencies {
    api(project(":ffi"))
    api(libs.androidx.lifecycle.viewmodel.ktx)
    api(libs.kotlinx.coroutines.core)
    implementation(libs.kotlinx.serialization.json)
    // QR codes and barcodes in camera frames (CodeScanner): plain Java, on Maven Central. Not in
    // the version catalog, which another part of the build owns; android/jvm/pom.xml pins the same.
    implementation("com.google.zxing:core:3.5.3")

    // The tests in src/test/kotlin need the host build of libfieldwork_ffi, the desktop JNA jar
    // and the fieldwork-server binary (system properties jna.library.path and
    // fieldwork.server.bin). scripts/smoke-kotlin.sh runs them with Maven
    // (android/jvm/pom.xml); running them from Gradle is not wired up yet (README.md).
    testImplementation(libs.kotlinx.coroutines.test)
    testImplementation(libs.turbine)
    testImplementation(libs.junit.jupiter)
    testRuntimeOnly(libs.junit.platform.launcher)
}
