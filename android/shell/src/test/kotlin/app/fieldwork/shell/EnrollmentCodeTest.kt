package app.fieldwork.shell

import com.google.zxing.BarcodeFormat
import com.google.zxing.EncodeHintType
import com.google.zxing.qrcode.QRCodeWriter
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import java.net.URLEncoder
import java.nio.charset.StandardCharsets

/** The console's enrollment QR code: both payload forms, what is refused, and reading it from a camera frame. */
class EnrollmentCodeTest {
    @Test
    fun theConsolesUrlFormIsReadWithItsPercentEncoding() {
        // Exactly what server/src/console/enroll_qr.rs puts in the QR code.
        val code = EnrollmentCode.parse("fieldwork://enroll?office=https%3A%2F%2Foffice.example%3A8443%2F&code=K7F2-9QX3")
        assertEquals(EnrollmentCode("https://office.example:8443/", "K7F2-9QX3"), code)
        // Parameters in any order, a plus or %20 in the code, white space around the payload.
        assertEquals(
            EnrollmentCode("http://10.0.0.5:8080", "AB CD"),
            EnrollmentCode.parse("  fieldwork://enroll?code=AB%20CD&office=http%3A%2F%2F10.0.0.5%3A8080\n"),
        )
    }

    @Test
    fun theJsonFormIsRead() {
        assertEquals(
            EnrollmentCode("https://office.example", "K7F2-9QX3"),
            EnrollmentCode.parse("""{"office":"https://office.example","code":" K7F2-9QX3 "}"""),
        )
    }

    @Test
    fun anythingElseIsNotAnEnrollmentCode() {
        val refused = listOf(
            "",
            "K7F2-9QX3",
            "https://office.example/enroll?code=K7F2",
            "fieldwork://enroll?office=https%3A%2F%2Foffice.example", // no code
            "fieldwork://enroll?office=&code=K7F2", // no office
            "fieldwork://enroll?office=ftp%3A%2F%2Foffice.example&code=K7F2", // not http(s)
            "fieldwork://enroll?office=office.example&code=K7F2", // not an address
            "fieldwork://revoke?office=https%3A%2F%2Foffice.example&code=K7F2", // another action
            "otherapp://enroll?office=https%3A%2F%2Foffice.example&code=K7F2",
            "fieldwork://enroll?office=%ZZ&code=K7F2", // broken escape
            """{"office":"https://office.example"}""",
            """{"office":"https://office.example","code":7}""",
            """{"office":"https://office.example","code":""}""",
            "{not json",
            "[1,2]",
        )
        for (text in refused) assertNull(EnrollmentCode.parse(text), text)
    }

    @Test
    fun aQrCodeInACameraFrameIsReadBackAsThePayload() {
        val payload = "fieldwork://enroll?office=" + URLEncoder.encode("https://office.example:8443/", StandardCharsets.UTF_8) + "&code=K7F2-9QX3"
        val (frame, side) = qrFrame(payload, padding = 37)
        assertEquals(payload, CodeScanner.decode(frame, side, side))
        assertEquals(EnrollmentCode("https://office.example:8443/", "K7F2-9QX3"), EnrollmentCode.parse(CodeScanner.decode(frame, side, side)!!))

        // A camera's Y plane has padding at the end of each row.
        val stride = side + 64
        val padded = ByteArray(stride * side)
        for (y in 0 until side) System.arraycopy(frame, y * side, padded, y * stride, side)
        assertEquals(payload, CodeScanner.decode(padded, side, side, rowStride = stride))

        // A frame with no code in it: nothing yet, the next frame may have it.
        assertNull(CodeScanner.decode(ByteArray(side * side) { 0x7f }, side, side))
    }

    companion object {
        /** A black-on-white QR code of [payload] as a grey frame (one byte per pixel), [padding] pixels of white around it. */
        fun qrFrame(payload: String, padding: Int = 0): Pair<ByteArray, Int> {
            val matrix = QRCodeWriter().encode(payload, BarcodeFormat.QR_CODE, 300, 300, mapOf(EncodeHintType.MARGIN to 4))
            val side = matrix.width + 2 * padding
            val frame = ByteArray(side * side) { 0xff.toByte() }
            for (y in 0 until matrix.height) for (x in 0 until matrix.width) {
                if (matrix[x, y]) frame[(y + padding) * side + x + padding] = 0
            }
            return frame to side
        }
    }
}
