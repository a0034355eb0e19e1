package app.fieldwork.app

import android.Manifest
import android.app.Activity
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.activity.result.contract.ActivityResultContract
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.safeDrawingPadding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import app.fieldwork.shell.CodeScanner
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicBoolean

/**
 * The camera, reading frames until one holds a QR code (the console's enrollment code) or a
 * barcode, then handing its text back to the caller ([Contract]). Frames are read on one
 * background thread, the latest only (a slow phone skips frames rather than queueing them).
 */
class QrScanActivity : ComponentActivity() {
    /** What the scan ended with. */
    sealed interface Outcome {
        data class Scanned(val text: String) : Outcome
        data object Cancelled : Outcome
        data object NoCamera : Outcome
    }

    /** Starts the scanner and reads its outcome. */
    class Contract : ActivityResultContract<Unit, Outcome>() {
        override fun createIntent(context: Context, input: Unit) = Intent(context, QrScanActivity::class.java)

        override fun parseResult(resultCode: Int, intent: Intent?): Outcome = when (resultCode) {
            Activity.RESULT_OK -> intent?.getStringExtra(EXTRA_TEXT)?.let { Outcome.Scanned(it) } ?: Outcome.Cancelled
            RESULT_NO_CAMERA -> Outcome.NoCamera
            else -> Outcome.Cancelled
        }
    }

    private val analysis = Executors.newSingleThreadExecutor()
    private val done = AtomicBoolean(false)
    private val permission = registerForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        if (granted) show() else finishWith(RESULT_NO_CAMERA, null)
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        enableEdgeToEdge()
        super.onCreate(savedInstanceState)
        if (ContextCompat.checkSelfPermission(this, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED) {
            show()
        } else {
            permission.launch(Manifest.permission.CAMERA)
        }
    }

    override fun onDestroy() {
        analysis.shutdown()
        super.onDestroy()
    }

    private fun show() {
        setContent {
            MaterialTheme {
                Surface(Modifier.fillMaxSize()) {
                    Box(Modifier.fillMaxSize()) {
                        AndroidView(
                            factory = { context -> PreviewView(context).also(::bind) },
                            modifier = Modifier.fillMaxSize().semantics {
                                contentDescription = getString(R.string.scan_preview_description)
                            },
                        )
                        Text(
                            stringResource(R.string.scan_hint),
                            Modifier.align(Alignment.TopCenter).safeDrawingPadding().padding(16.dp),
                            style = MaterialTheme.typography.titleMedium,
                        )
                        Button(
                            onClick = { finishWith(RESULT_CANCELED, null) },
                            modifier = Modifier.align(Alignment.BottomCenter).safeDrawingPadding().padding(24.dp),
                        ) { Text(stringResource(R.string.scan_cancel)) }
                    }
                }
            }
        }
    }

    private fun bind(previewView: PreviewView) {
        val future = ProcessCameraProvider.getInstance(this)
        future.addListener({
            try {
                val cameras = future.get()
                val preview = Preview.Builder().build().also { it.surfaceProvider = previewView.surfaceProvider }
                val frames = ImageAnalysis.Builder()
                    .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
                    .build()
                    .also { it.setAnalyzer(analysis, ::read) }
                cameras.unbindAll()
                cameras.bindToLifecycle(this, CameraSelector.DEFAULT_BACK_CAMERA, preview, frames)
            } catch (e: Exception) {
                // No usable camera (or it is taken): the enrollment screen says so.
                finishWith(RESULT_NO_CAMERA, null)
            }
        }, ContextCompat.getMainExecutor(this))
    }

    /** One frame: its Y plane (YUV_420_888, one byte per pixel) through [CodeScanner]. */
    private fun read(frame: ImageProxy) {
        frame.use {
            val y = it.planes[0]
            val bytes = ByteArray(y.buffer.remaining()).also { b -> y.buffer.get(b) }
            val text = CodeScanner.decode(bytes, it.width, it.height, y.rowStride) ?: return
            runOnUiThread { finishWith(RESULT_OK, text) }
        }
    }

    private fun finishWith(code: Int, text: String?) {
        if (!done.compareAndSet(false, true)) return
        setResult(code, text?.let { Intent().putExtra(EXTRA_TEXT, it) })
        finish()
    }

    companion object {
        private const val EXTRA_TEXT = "app.fieldwork.app.SCANNED_TEXT"

        /** The camera could not be used (no permission, none, or taken). */
        const val RESULT_NO_CAMERA = Activity.RESULT_FIRST_USER
    }
}
