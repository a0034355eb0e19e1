@file:OptIn(ExperimentalTestApi::class)

package app.fieldwork.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.DesktopComposeUiTest
import androidx.compose.ui.test.runDesktopComposeUiTest
import androidx.compose.ui.unit.Density
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isEnabled
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performScrollToNode
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.printToString
import androidx.compose.ui.test.waitUntilAtLeastOneExists
import androidx.compose.ui.test.waitUntilDoesNotExist
import java.util.Collections

// What the Compose UI tests share: waiting on what the screen shows (never on time), typing
// into a labelled field, tapping a labelled control, scrolling a screen's list.

/**
 * A Compose UI test on a phone-sized window of [widthDp] x [heightDp] (density 1: a pixel is a
 * dp) with text scaled by [fontScale]. It runs on Swing's event thread, the desktop's main
 * thread, where Navigation's back-stack lifecycles must be moved. [content] is the app.
 */
fun runPhoneUiTest(
    widthDp: Int = 360,
    heightDp: Int = 640,
    fontScale: Float = 1f,
    content: @Composable () -> Unit,
    block: suspend DesktopComposeUiTest.() -> Unit,
) = runDesktopComposeUiTest(widthDp, heightDp) {
    setContent {
        CompositionLocalProvider(LocalDensity provides Density(LocalDensity.current.density, fontScale), content = content)
    }
    block()
}

/** Long enough for a sync on a loaded machine; the tests wait on state, this is only the give-up time. */
const val UI_WAIT_MS = 30_000L

/** Waits until a node matches [matcher]; on a timeout the screen's semantics tree is printed. */
fun ComposeUiTest.waitFor(matcher: SemanticsMatcher) = try {
    waitUntilAtLeastOneExists(matcher, timeoutMillis = UI_WAIT_MS)
} catch (e: Throwable) {
    println(onRoot(useUnmergedTree = false).printToString())
    throw e
}

fun ComposeUiTest.waitForText(text: String, substring: Boolean = false) = waitFor(hasText(text, substring = substring))

fun ComposeUiTest.waitForGone(matcher: SemanticsMatcher) = waitUntilDoesNotExist(matcher, timeoutMillis = UI_WAIT_MS)

/** The text field labelled [label] (once it is composed and merged with its label). */
fun ComposeUiTest.field(label: String) = (hasText(label) and hasSetTextAction()).also { waitFor(it) }

/** Types [text] into the field labelled [label]. */
fun ComposeUiTest.typeInto(label: String, text: String) {
    onNode(field(label)).performTextInput(text)
}

/** Replaces the text of the field labelled [label]. */
fun ComposeUiTest.replaceIn(label: String, text: String) {
    onNode(field(label)).performTextReplacement(text)
}

/** Taps the clickable node showing exactly [text], once it is there and enabled. */
fun ComposeUiTest.tap(text: String) = tapNode(hasText(text) and hasClickAction() and isEnabled())

/** Taps the clickable node described as [description] (an icon button), once it is there and enabled. */
fun ComposeUiTest.tapDescribed(description: String) = tapNode(hasContentDescription(description) and hasClickAction() and isEnabled())

/**
 * Taps the node [matcher] finds, brought into view first if it is in a scrolling list (typing
 * into a field scrolls the list to it: a button composed above may be off screen, where a tap
 * would land on whatever covers it).
 */
private fun ComposeUiTest.tapNode(matcher: SemanticsMatcher) {
    waitFor(matcher)
    val node = onNode(matcher)
    runCatching { node.performScrollTo() } // not in a scrolling container: nothing to bring into view
    node.performClick()
}

/**
 * Scrolls the list tagged [tag] (the job screen's "job-content", the review's "signing-review")
 * to [matcher], waiting until the list has such an item (a lazy list composes only what is on
 * screen, so an item is found by scrolling, and it may arrive with the next reload).
 */
fun ComposeUiTest.scrollTo(tag: String, matcher: SemanticsMatcher) {
    try {
        waitUntil(timeoutMillis = UI_WAIT_MS) { runCatching { onNodeWithTag(tag).performScrollToNode(matcher) }.isSuccess }
    } catch (e: Throwable) {
        println(onRoot(useUnmergedTree = false).printToString())
        throw e
    }
}

/** Scrolls the job screen to the control showing [text] and taps it. */
fun ComposeUiTest.scrollJobAndTap(text: String) {
    scrollTo("job-content", hasText(text) and hasClickAction())
    tap(text)
}

/**
 * Exceptions nothing caught, on any thread (a crash, on a phone), while [block] runs: a test
 * that says "the app goes on" asserts this list stays empty.
 */
fun <T> recordingUncaught(block: (MutableList<Throwable>) -> T): T {
    val uncaught = Collections.synchronizedList(mutableListOf<Throwable>())
    val previous = Thread.getDefaultUncaughtExceptionHandler()
    Thread.setDefaultUncaughtExceptionHandler { _, e -> uncaught += e }
    try {
        return block(uncaught)
    } finally {
        Thread.setDefaultUncaughtExceptionHandler(previous)
    }
}
