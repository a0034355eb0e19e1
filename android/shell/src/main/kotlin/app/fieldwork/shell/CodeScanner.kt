package app.fieldwork.shell

import com.google.zxing.BarcodeFormat
import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.MultiFormatReader
import com.google.zxing.NotFoundException
import com.google.zxing.PlanarYUVLuminanceSource
import com.google.zxing.ReaderException
import com.google.zxing.common.HybridBinarizer

/**
 * Reads a QR code or a barcode in one camera frame, with ZXing's core (plain Java, the same on
 * the phone and in the tests). The app hands over the frame's luminance: the Y plane of
 * CameraX's `ImageAnalysis` (YUV_420_888), one byte per pixel, [rowStride] bytes per row.
 */
object CodeScanner {
    /** The formats a technician meets: the console's QR code, serial labels, part numbers. */
    private val FORMATS = listOf(
        BarcodeFormat.QR_CODE,
        BarcodeFormat.DATA_MATRIX,
        BarcodeFormat.CODE_128,
        BarcodeFormat.CODE_39,
        BarcodeFormat.EAN_13,
    )

    private val hints = mapOf(
        DecodeHintType.POSSIBLE_FORMATS to FORMATS,
        DecodeHintType.TRY_HARDER to true,
        DecodeHintType.CHARACTER_SET to "UTF-8",
    )

    /** The text of the code in the frame, or null when there is none (the next frame may have it). */
    fun decode(luminance: ByteArray, width: Int, height: Int, rowStride: Int = width): String? {
        require(width > 0 && height > 0 && rowStride >= width && luminance.size >= rowStride * (height - 1) + width) {
            "a frame of $width x $height with $rowStride bytes per row needs more than ${luminance.size} bytes"
        }
        val source = PlanarYUVLuminanceSource(luminance, rowStride, height, 0, 0, width, height, false)
        val reader = MultiFormatReader().apply { setHints(hints) }
        return try {
            reader.decodeWithState(BinaryBitmap(HybridBinarizer(source))).text
        } catch (_: NotFoundException) {
            null
        } catch (_: ReaderException) {
            null // a code was seen but not read (blurred, cut off): the next frame may do
        }
    }
}
