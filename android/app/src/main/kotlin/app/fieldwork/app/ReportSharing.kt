package app.fieldwork.app

import android.app.Activity
import android.content.Intent
import androidx.core.content.FileProvider
import app.fieldwork.shell.FieldworkRepository
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.io.File

/** Shares a sealed report as PDF (rendered on the phone, byte for byte what the office renders). */
object ReportSharing {
    /** Android's CJK system fonts; the core searches the usual folders when none is given. */
    private val CJK_FONTS = listOf(
        "/system/fonts/NotoSansCJK-Regular.ttc",
        "/system/fonts/NotoSansSC-Regular.otf",
    )

    /** Renders [version] (the latest if null) and opens the share sheet. Throws `ApiException.Render`. */
    suspend fun sharePdf(activity: Activity, repository: FieldworkRepository, jobId: String, version: UInt? = null) {
        val font = CJK_FONTS.firstOrNull { File(it).canRead() }
        val pdf = repository.renderReportPdf(jobId, version, font)
        val file = withContext(Dispatchers.IO) {
            File(activity.cacheDir, "reports").apply { mkdirs() }.resolve("$jobId-report.pdf").apply { writeBytes(pdf) }
        }
        val uri = FileProvider.getUriForFile(activity, "${activity.packageName}.files", file)
        val send = Intent(Intent.ACTION_SEND)
            .setType("application/pdf")
            .putExtra(Intent.EXTRA_STREAM, uri)
            .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
        activity.startActivity(Intent.createChooser(send, null))
    }
}
