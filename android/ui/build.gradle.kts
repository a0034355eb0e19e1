// :ui — Compose Material 3 screens over the :shell view models (theme, typed Navigation Compose
// routes, stateless screens with previews), and the en / zh-CN strings every MessageKey maps to.
// src/main/kotlin uses only what Compose Multiplatform has too (the desktop JVM build in
// android/jvm compiles and tests it); src/android/kotlin holds the few calls taken from Android
// (string resources, the back handler, the configuration's locale and 24-hour setting, bitmaps).
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
    // Navigation's typed routes are @Serializable classes.
    alias(libs.plugins.kotlin.serialization)
}

android {
    namespace = "app.fieldwork.ui"
    compileSdk = 36
    defaultConfig { minSdk = 26 }
    buildFeatures { compose = true }
    sourceSets["main"].kotlin.srcDir("src/android/kotlin")
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    api(project(":shell"))
    implementation(platform(libs.androidx.compose.bom))
    implementation(libs.androidx.compose.ui)
    implementation(libs.androidx.compose.material3)
    implementation(libs.androidx.compose.ui.tooling.preview)
    debugImplementation(libs.androidx.compose.ui.tooling)
    implementation(libs.androidx.lifecycle.viewmodel.compose)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(libs.androidx.activity.compose)
    implementation(libs.kotlinx.serialization.json)
    // Written here rather than in gradle/libs.versions.toml (another part of the build owns the
    // catalog); neither was resolved on this machine (no Google Maven). The desktop build uses
    // JetBrains' multiplatform builds of the same APIs (android/jvm/pom.xml).
    implementation("androidx.navigation:navigation-compose:2.9.5") // typed routes (2.8+), same API as org.jetbrains.androidx.navigation 2.9
    implementation("androidx.compose.material:material-icons-core") // version from the Compose BOM
}
