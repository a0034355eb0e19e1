package app.fieldwork.ui

import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.SolidColor
import androidx.compose.ui.graphics.StrokeCap
import androidx.compose.ui.graphics.StrokeJoin
import androidx.compose.ui.graphics.vector.ImageVector
import androidx.compose.ui.graphics.vector.addPathNodes
import androidx.compose.ui.unit.dp

/**
 * The few icons Material's core set lacks, drawn on its 24-unit grid. Each is one colour (the
 * Icon's tint), so each is a shape, never a colour: offline is a struck-out cloud.
 */
object FieldIcons {
    /** A cloud outline struck through: no network, the work waits on the phone. */
    val CloudOff: ImageVector by lazy {
        icon("CloudOff") {
            stroke("M19.35,10.04C18.67,6.59 15.64,4 12,4 9.11,4 6.6,5.64 5.35,8.04 2.34,8.36 0,10.91 0,14c0,3.31 2.69,6 6,6h13c2.76,0 5,-2.24 5,-5 0,-2.64 -2.05,-4.78 -4.65,-4.96z", width = 1.8f)
            stroke("M3,2L22,21", width = 2.2f)
        }
    }

    /** A QR code: three finder squares and a few modules. */
    val QrCode: ImageVector by lazy {
        icon("QrCode") {
            fill("M3,3h8v8H3z M5,5v4h4V5z M13,3h8v8h-8z M15,5v4h4V5z M3,13h8v8H3z M5,15v4h4v-4z")
            fill("M13,13h3v3h-3z M18,13h3v3h-3z M13,18h3v3h-3z M16,16h2v2h-2z M18,18h3v3h-3z")
        }
    }

    /** A circle half filled: the high-contrast switch. */
    val Contrast: ImageVector by lazy {
        icon("Contrast") {
            stroke("M12,3a9,9 0 1,0 0,18a9,9 0 1,0 0,-18z", width = 2f)
            fill("M12,3a9,9 0 0,1 0,18z")
        }
    }

    /** A camera body and lens. */
    val Camera: ImageVector by lazy {
        icon("Camera") {
            fill("M9,3L7.17,5H4c-1.1,0 -2,0.9 -2,2v12c0,1.1 0.9,2 2,2h16c1.1,0 2,-0.9 2,-2V7c0,-1.1 -0.9,-2 -2,-2h-3.17L15,3H9z M12,18c-2.76,0 -5,-2.24 -5,-5s2.24,-5 5,-5 5,2.24 5,5 -2.24,5 -5,5z M12,10.2a2.8,2.8 0 1,0 0,5.6a2.8,2.8 0 1,0 0,-5.6z")
        }
    }

    private class Paths(val builder: ImageVector.Builder) {
        fun fill(d: String) {
            builder.addPath(addPathNodes(d), fill = SolidColor(Color.Black), pathFillType = androidx.compose.ui.graphics.PathFillType.EvenOdd)
        }

        fun stroke(d: String, width: Float) {
            builder.addPath(
                addPathNodes(d),
                stroke = SolidColor(Color.Black),
                strokeLineWidth = width,
                strokeLineCap = StrokeCap.Round,
                strokeLineJoin = StrokeJoin.Round,
            )
        }
    }

    private fun icon(name: String, paths: Paths.() -> Unit): ImageVector {
        val builder = ImageVector.Builder(name = name, defaultWidth = 24.dp, defaultHeight = 24.dp, viewportWidth = 24f, viewportHeight = 24f)
        Paths(builder).paths()
        return builder.build()
    }
}
