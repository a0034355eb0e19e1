package app.fieldwork.ui

import androidx.compose.animation.EnterTransition
import androidx.compose.animation.ExitTransition
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.WindowInsets
import androidx.compose.foundation.layout.WindowInsetsSides
import androidx.compose.foundation.layout.consumeWindowInsets
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.only
import androidx.compose.foundation.layout.safeDrawing
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import androidx.navigation.NavController
import androidx.navigation.NavDestination.Companion.hasRoute
import androidx.navigation.NavHostController
import androidx.navigation.compose.currentBackStackEntryAsState
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import androidx.navigation.toRoute
import app.fieldwork.shell.EnrollmentViewModel
import kotlinx.serialization.Serializable

/**
 * Where the technician is, as typed routes (Navigation Compose): each screen's view model is
 * scoped to its back-stack entry, so it is cleared (its core subscriptions with it) when the
 * screen is popped. Enrollment is not a route: until the phone is enrolled nothing else shows.
 */
@Serializable
sealed interface Route {
    /** Today's jobs. */
    @Serializable
    data object Today : Route

    /** One job on site. */
    @Serializable
    data class Job(val jobId: String) : Route

    /** A job's photos and the camera. */
    @Serializable
    data class Photos(val jobId: String) : Route

    /** The customer's full-screen signing flow: review, pad or refusal, confirmation, hand-back. */
    @Serializable
    data class Signing(val jobId: String) : Route

    /** The technician's van: levels, deliveries to count in, a count, parts sent back. */
    @Serializable
    data object Stock : Route
}

/**
 * The whole app: enrollment first, then today's jobs -> a job -> its photos or the signing
 * flow, under the sync bar. [appearance] is the theme ([Appearance.SYSTEM] follows the phone's
 * dark setting); the technician's high-contrast switch overrides it.
 */
@Composable
fun FieldworkRoot(graph: ShellGraph, actions: PlatformActions, appearance: Appearance = Appearance.SYSTEM) {
    var highContrast by rememberSaveable { mutableStateOf(false) }
    FieldworkTheme(if (highContrast) Appearance.HIGH_CONTRAST else appearance) {
        CompositionLocalProvider(LocalClockFormat provides rememberClockFormat()) {
            Surface(Modifier.fillMaxSize(), color = MaterialTheme.colorScheme.background) {
                val enrollment = viewModel { EnrollmentViewModel(graph.repository, graph.deviceName, afterEnroll = graph.syncPolicy::syncNow) }
                val enrolled by enrollment.state.collectAsStateWithLifecycle()
                when {
                    enrolled.checking -> Unit
                    enrolled.enrolled == null -> EnrollmentRoute(enrollment, actions)
                    else -> {
                        val nav = rememberNavController()
                        val entry by nav.currentBackStackEntryAsState()
                        // The customer's signing flow is theirs, full screen: no sync bar over it.
                        val signing = entry?.destination?.hasRoute<Route.Signing>() == true
                        Column(Modifier.fillMaxSize()) {
                            // The sync bar takes the status bar's inset; the screens below do not add it again.
                            if (!signing) SyncBarRoute(graph)
                            val below = if (signing) Modifier else Modifier.consumeWindowInsets(WindowInsets.safeDrawing.only(WindowInsetsSides.Top))
                            Box(Modifier.weight(1f).then(below)) {
                                FieldworkNavHost(nav, graph, actions, highContrast, onHighContrastChange = { highContrast = it })
                            }
                        }
                    }
                }
            }
        }
    }
}

@Composable
private fun FieldworkNavHost(nav: NavHostController, graph: ShellGraph, actions: PlatformActions, highContrast: Boolean, onHighContrastChange: (Boolean) -> Unit) {
    // No animation between screens: instant on a slow phone, and the same picture every time.
    NavHost(
        navController = nav,
        startDestination = Route.Today,
        enterTransition = { EnterTransition.None },
        exitTransition = { ExitTransition.None },
        popEnterTransition = { EnterTransition.None },
        popExitTransition = { ExitTransition.None },
    ) {
        composable<Route.Today> {
            TodayRoute(graph, highContrast, onHighContrastChange, onOpen = { nav.navigate(Route.Job(it)) }, onStock = { nav.navigate(Route.Stock) })
        }
        composable<Route.Stock> {
            StockRoute(graph, onBack = nav::back)
        }
        composable<Route.Job> { entry ->
            val jobId = entry.toRoute<Route.Job>().jobId
            JobRoute(
                graph, actions, jobId,
                onBack = nav::back,
                onPhotos = { nav.navigate(Route.Photos(jobId)) },
                onSign = { nav.navigate(Route.Signing(jobId)) },
            )
        }
        composable<Route.Photos> { entry ->
            PhotosRoute(graph, actions, entry.toRoute<Route.Photos>().jobId, onBack = nav::back)
        }
        composable<Route.Signing> { entry ->
            SigningRoute(graph, entry.toRoute<Route.Signing>().jobId, onExit = nav::back)
        }
    }
}

/** Back one screen, never past the first (a double tap on back must not leave an empty host). */
private fun NavController.back() {
    if (previousBackStackEntry != null) popBackStack()
}
