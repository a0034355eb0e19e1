package app.fieldwork.app

import android.Manifest
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.os.Bundle
import android.provider.Settings
import android.widget.Toast
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.view.PreviewView
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import androidx.lifecycle.lifecycleScope
import app.fieldwork.ffi.ApiException
import app.fieldwork.shell.ErrorMessages
import app.fieldwork.shell.UserMessage
import app.fieldwork.ui.FieldworkRoot
import app.fieldwork.ui.PlatformActions
import app.fieldwork.ui.stringRes
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.launch
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlin.coroutines.resume

/** Whether the camera may be used and, if not, what the photo screen offers instead. */
enum class CameraAccess {
    GRANTED,

    /** Never asked: the photo screen asks as it opens. */
    NOT_ASKED,

    /** Denied once: say why the app needs it, then ask again. */
    RATIONALE,

    /** Denied for good ("don't ask again", or denied twice): only the app's settings can allow it. */
    DENIED_PERMANENTLY,
}

/**
 * The Compose host; the platform pieces (camera, share sheet) are handed to the UI as actions.
 *
 * The camera permission is asked for where it is needed, on the photo screen: the first time as
 * the screen opens, after a denial with the reason first (`shouldShowRequestPermissionRationale`),
 * and once the system no longer asks, with a button to the app's settings. [cameraAccess] is
 * Compose state: the preview re-binds as soon as the permission is granted, from the dialog or
 * from the settings (checked again in [onResume]).
 */
class MainActivity : ComponentActivity() {
    private val camera by lazy { PhotoCapture(this) }
    private var cameraAccess by mutableStateOf(CameraAccess.NOT_ASKED)
    private val prefs by lazy { getSharedPreferences(PREFS, Context.MODE_PRIVATE) }
    private val cameraPermission = registerForActivityResult(ActivityResultContracts.RequestPermission()) {
        prefs.edit().putBoolean(CAMERA_ASKED, true).apply()
        cameraAccess = currentCameraAccess()
    }

    /** The scan in progress ([PlatformActions.scanQr] waits on it); one at a time. */
    private var scanning: CancellableContinuation<QrScanActivity.Outcome>? = null
    private val qrScan = registerForActivityResult(QrScanActivity.Contract()) { outcome ->
        scanning?.takeIf { it.isActive }?.resume(outcome)
        scanning = null
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        // Android 15+ lays out apps that target it edge to edge, and targetSdk 36 removes the
        // opt-out; this does the same on older versions (transparent bars, icon colours that
        // follow the theme). The screens must keep their content out of the bars (WindowInsets).
        enableEdgeToEdge()
        super.onCreate(savedInstanceState)
        cameraAccess = currentCameraAccess()
        val graph = application as FieldworkApplication
        val actions = object : PlatformActions {
            @Composable
            override fun CameraPreview(modifier: Modifier) = CameraPanel(modifier)

            override suspend fun takePhoto(): ByteArray {
                if (currentCameraAccess() != CameraAccess.GRANTED) {
                    throw CameraUnavailableException(
                        CameraUnavailableException.Reason.PERMISSION_DENIED,
                        getString(CameraUnavailableException.Reason.PERMISSION_DENIED.text),
                    )
                }
                return camera.takePhoto()
            }

            override fun dial(phone: String) {
                // ACTION_DIAL needs no permission: the dialler opens with the number, the
                // technician presses call.
                startActivity(Intent(Intent.ACTION_DIAL, Uri.fromParts("tel", phone, null)))
            }

            override suspend fun scanQr(): String? {
                val outcome = suspendCancellableCoroutine { continuation ->
                    scanning?.cancel()
                    scanning = continuation
                    qrScan.launch(Unit)
                }
                return when (outcome) {
                    is QrScanActivity.Outcome.Scanned -> outcome.text
                    QrScanActivity.Outcome.Cancelled -> null
                    QrScanActivity.Outcome.NoCamera -> throw CameraUnavailableException(
                        CameraUnavailableException.Reason.PERMISSION_DENIED,
                        getString(CameraUnavailableException.Reason.PERMISSION_DENIED.text),
                    )
                }
            }

            override fun sharePdf(jobId: String) {
                lifecycleScope.launch {
                    try {
                        ReportSharing.sharePdf(this@MainActivity, graph.repository, jobId)
                    } catch (e: ApiException) {
                        Toast.makeText(this@MainActivity, ErrorMessages.of(e).text(this@MainActivity), Toast.LENGTH_LONG).show()
                    }
                }
            }
        }
        setContent { FieldworkRoot(graph, actions) }
    }

    override fun onResume() {
        super.onResume()
        cameraAccess = currentCameraAccess() // the user may come back from the app's settings
    }

    private fun currentCameraAccess(): CameraAccess = when {
        ContextCompat.checkSelfPermission(this, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED -> CameraAccess.GRANTED
        shouldShowRequestPermissionRationale(Manifest.permission.CAMERA) -> CameraAccess.RATIONALE
        prefs.getBoolean(CAMERA_ASKED, false) -> CameraAccess.DENIED_PERMANENTLY
        else -> CameraAccess.NOT_ASKED
    }

    private fun openAppSettings() {
        val intent = Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", packageName, null))
        startActivity(intent.addFlags(Intent.FLAG_ACTIVITY_NEW_TASK))
    }

    /** The live preview once the camera is allowed; until then why it is needed and what to tap. */
    @Composable
    private fun CameraPanel(modifier: Modifier) {
        val access = cameraAccess
        Box(modifier.background(MaterialTheme.colorScheme.surfaceVariant), contentAlignment = Alignment.Center) {
            if (access == CameraAccess.GRANTED) {
                LivePreview()
            } else {
                // Asked once as the screen opens (not again when it is recreated, e.g. rotated
                // while the system's dialog is up).
                var asked by rememberSaveable { mutableStateOf(false) }
                LaunchedEffect(Unit) {
                    if (access == CameraAccess.NOT_ASKED && !asked) {
                        asked = true
                        cameraPermission.launch(Manifest.permission.CAMERA)
                    }
                }
                val text = when (access) {
                    CameraAccess.RATIONALE -> R.string.camera_rationale
                    CameraAccess.DENIED_PERMANENTLY -> R.string.camera_denied_permanently
                    else -> R.string.camera_permission_needed
                }
                Notice(stringResource(text)) {
                    if (access == CameraAccess.DENIED_PERMANENTLY) {
                        Button(onClick = { openAppSettings() }) { Text(stringResource(R.string.camera_open_settings)) }
                    } else {
                        Button(onClick = { cameraPermission.launch(Manifest.permission.CAMERA) }) { Text(stringResource(R.string.camera_allow)) }
                    }
                }
            }
        }
    }

    /** CameraX's PreviewView, bound while it is on screen; a failed bind says why and can be retried. */
    @Composable
    private fun LivePreview() {
        val context = LocalContext.current
        val previewView = remember {
            PreviewView(context).apply {
                // A TextureView: the preview sits in a scrolling Compose column.
                implementationMode = PreviewView.ImplementationMode.COMPATIBLE
                scaleType = PreviewView.ScaleType.FILL_CENTER
            }
        }
        var attempt by remember { mutableIntStateOf(0) }
        val state by camera.state.collectAsState()
        LaunchedEffect(previewView, attempt) { camera.bind(this@MainActivity, previewView.surfaceProvider) }
        DisposableEffect(previewView) { onDispose { camera.unbind() } }
        AndroidView(factory = { previewView }, modifier = Modifier.fillMaxSize())
        val failed = state as? CameraState.Failed
        if (failed != null) {
            Notice(failed.error.userMessage) {
                Button(onClick = { attempt++ }) { Text(stringResource(R.string.camera_retry)) }
            }
        }
    }

    @Composable
    private fun Notice(text: String, action: @Composable () -> Unit) {
        Column(
            Modifier.background(MaterialTheme.colorScheme.surfaceVariant).padding(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
            horizontalAlignment = Alignment.CenterHorizontally,
        ) {
            Text(text, textAlign = TextAlign.Center, color = MaterialTheme.colorScheme.onSurfaceVariant)
            action()
        }
    }

    private companion object {
        const val PREFS = "fieldwork-ui"
        const val CAMERA_ASKED = "camera_permission_asked"
    }
}

/** The message and, where it is meant for the user, the core's detail under it (outside Compose). */
fun UserMessage.text(context: Context): String =
    listOfNotNull(context.getString(key.stringRes()), shownDetail).joinToString("\n")
