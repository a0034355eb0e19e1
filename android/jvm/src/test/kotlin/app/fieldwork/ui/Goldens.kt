package app.fieldwork.ui

import java.awt.image.BufferedImage
import java.nio.file.Files
import java.nio.file.Path
import javax.imageio.ImageIO
import kotlin.math.abs

/**
 * Golden screenshots: a rendered screen is compared pixel by pixel with its committed PNG in
 * [dir] (android/jvm/src/test/goldens). With `-Dfieldwork.goldens.update=true`
 * (scripts/goldens.sh) the PNGs are written instead. A mismatch leaves the actual picture and a
 * diff (differing pixels in red on a faded copy) in target/golden-diffs.
 */
object Goldens {
    val dir: Path = Path.of(System.getProperty("fieldwork.goldens.dir") ?: "src/test/goldens")
    val update: Boolean = System.getProperty("fieldwork.goldens.update") == "true"
    private val diffs: Path = Path.of("target/golden-diffs")

    /** How far one colour channel (0..255) may differ: glyph edges anti-aliased a little differently by another Skia or FreeType build. */
    const val CHANNEL_TOLERANCE = 40

    /** How many pixels may differ beyond that: a few glyphs' edges, never a moved, missing or recoloured control. */
    const val MAX_DIFFERING_FRACTION = 0.004

    /** Compares [image] with the golden [name] (or writes it when updating); returns why it differs, or null. */
    fun check(name: String, image: BufferedImage): String? {
        val file = dir.resolve("$name.png")
        if (update) {
            Files.createDirectories(dir)
            ImageIO.write(image, "png", file.toFile())
            return null
        }
        if (!Files.exists(file)) return "$name: no golden (bash scripts/goldens.sh writes it)"
        val golden = ImageIO.read(file.toFile())
        if (golden.width != image.width || golden.height != image.height) {
            save(name, image, null)
            return "$name: ${image.width}x${image.height}, the golden is ${golden.width}x${golden.height}"
        }
        val diff = BufferedImage(image.width, image.height, BufferedImage.TYPE_INT_RGB)
        var differing = 0
        for (y in 0 until image.height) for (x in 0 until image.width) {
            val a = image.getRGB(x, y)
            val b = golden.getRGB(x, y)
            val far = (0..16 step 8).any { shift -> abs((a shr shift and 0xff) - (b shr shift and 0xff)) > CHANNEL_TOLERANCE }
            if (far) differing++
            diff.setRGB(x, y, if (far) 0xFF0000 else faded(b))
        }
        val fraction = differing.toDouble() / (image.width * image.height)
        if (fraction <= MAX_DIFFERING_FRACTION) return null
        save(name, image, diff)
        return "$name: %d pixels (%.2f %%) differ by more than %d; see %s".format(differing, fraction * 100, CHANNEL_TOLERANCE, diffs.resolve("$name-diff.png"))
    }

    private fun faded(rgb: Int): Int {
        val grey = ((rgb shr 16 and 0xff) + (rgb shr 8 and 0xff) + (rgb and 0xff)) / 3
        val light = 160 + grey * 95 / 255
        return (light shl 16) or (light shl 8) or light
    }

    private fun save(name: String, actual: BufferedImage, diff: BufferedImage?) {
        Files.createDirectories(diffs)
        ImageIO.write(actual, "png", diffs.resolve("$name-actual.png").toFile())
        if (diff != null) ImageIO.write(diff, "png", diffs.resolve("$name-diff.png").toFile())
    }
}
