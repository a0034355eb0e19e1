// The Fieldwork Android app: open this folder (android/) in Android Studio.
// :ffi builds the Rust core per ABI and generates its Kotlin bindings, :shell holds the
// repository, sync policy and view models (plain Kotlin, no android.* imports: its tests run on
// the desktop JVM, see README.md), :ui the Compose screens, :app the Android glue.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "fieldwork"
include(":ffi", ":shell", ":ui", ":app")
