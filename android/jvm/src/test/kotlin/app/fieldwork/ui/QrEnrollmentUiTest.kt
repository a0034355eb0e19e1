package app.fieldwork.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import app.fieldwork.shell.CodeScanner
import app.fieldwork.shell.TestOffice
import com.google.zxing.BarcodeFormat
import com.google.zxing.EncodeHintType
import com.google.zxing.qrcode.QRCodeWriter
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.awt.image.BufferedImage
import java.net.URLEncoder
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.util.Locale
import javax.imageio.ImageIO

/**
 * Enrolling by scanning: the console's QR code (its payload, drawn here with ZXing as a PNG)
 * is read through the app's own path, a camera frame's luminance into CodeScanner, and the
 * screen fills the office address and the code from it; then the phone enrolls at the real
 * office. A code that is not an enrollment code, or a scanner that fails, is said.
 */
@OptIn(ExperimentalTestApi::class)
class QrEnrollmentUiTest {
    private val dir = Files.createTempDirectory("fieldwork-qr")
    private val locale = Locale.getDefault()

    init {
        Locale.setDefault(Locale.US)
    }

    @AfterEach
    fun restoreLocale() = Locale.setDefault(locale)

    /** The payload as a QR code in a PNG file, 8 pixels a module with the quiet zone, as the console draws it. */
    private fun qrPng(payload: String, file: Path): Path {
        val matrix = QRCodeWriter().encode(payload, BarcodeFormat.QR_CODE, 0, 0, mapOf(EncodeHintType.MARGIN to 4))
        val scale = 8
        val image = BufferedImage(matrix.width * scale, matrix.height * scale, BufferedImage.TYPE_BYTE_GRAY)
        for (y in 0 until image.height) for (x in 0 until image.width) {
            image.setRGB(x, y, if (matrix[x / scale, y / scale]) 0x000000 else 0xFFFFFF)
        }
        ImageIO.write(image, "png", file.toFile())
        return file
    }

    /** What a camera frame of [png] gives the scanner: one luminance byte per pixel. */
    private fun luminanceOf(png: Path): Triple<ByteArray, Int, Int> {
        val image = ImageIO.read(png.toFile())
        val bytes = ByteArray(image.width * image.height)
        for (y in 0 until image.height) for (x in 0 until image.width) {
            val rgb = image.getRGB(x, y)
            bytes[y * image.width + x] = (((rgb shr 16 and 0xff) * 299 + (rgb shr 8 and 0xff) * 587 + (rgb and 0xff) * 114) / 1000).toByte()
        }
        return Triple(bytes, image.width, image.height)
    }

    @Test
    fun theConsolesQrCodeFillsTheFormAndThePhoneEnrolls() = TestOffice(dir.resolve("office")).start().use { office ->
        office.technician("t1")
        office.job("J-QR", "t1")
        val code = office.enrollCode("t1")
        // The console's payload: fieldwork://enroll?office=<percent-encoded>&code=<code>.
        val payload = "fieldwork://enroll?office=${URLEncoder.encode(office.url, StandardCharsets.UTF_8)}&code=${URLEncoder.encode(code, StandardCharsets.UTF_8)}"
        val (frame, width, height) = luminanceOf(qrPng(payload, dir.resolve("enroll-qr.png")))

        DesktopApp(dir).use { app ->
            runPhoneUiTest(content = { app.Root() }) {
                // A scanner that fails leaves the fields to be typed.
                app.scanner = { throw IllegalStateException("no camera") }
                tap("Scan QR code")
                waitForText("The camera could not scan. Type the office address and the code instead.")

                // Another app's QR code fills nothing.
                app.scanner = { "https://example.com/menu" }
                tap("Scan QR code")
                waitForText("This QR code is not an enrollment code. Scan the code on the office's devices page.")

                // The console's code, read from the camera frame as the app reads it.
                app.scanner = { CodeScanner.decode(frame, width, height) }
                tap("Scan QR code")
                waitFor(hasText(office.url) and hasSetTextAction())
                waitFor(hasText(code) and hasSetTextAction())
                tap("Set up")
                waitFor(hasText("Harbour Clinic") and hasClickAction())
            }
            val enrolled = runBlocking { app.repository.enrollment() }
            assertEquals(listOf(office.url, "t1"), listOf(enrolled?.serverUrl, enrolled?.technician))
        }
    }
}
