package app.fieldwork.shell

/** One sample of a signature: canvas units, milliseconds since the first touch, pressure 0..1000. */
data class StrokePoint(val x: Int, val y: Int, val tMs: Int, val pressure: Int)

/**
 * A customer's signature as the screen captured it: strokes of points on a W x H canvas,
 * immutable (each pointer event returns a new value). [toJson] is the strokes JSON
 * `sign_report` takes: `{"canvas":{"width":W,"height":H},"strokes":[[[x,y,t_ms,pressure],...],...]}`.
 *
 * Pointer events come in canvas units (the UI scales from pixels; x and y are rounded down),
 * with the event time in any millisecond clock and pressure 0..1000 (`MotionEvent.pressure`
 * times 1000). It applies the core's rules as the points arrive (`model::report::Strokes::validate`), so a
 * signature the pad accepted is never refused for its shape: points are clamped onto the
 * canvas, time never goes backwards within a stroke, pressure is clamped to 0..1000, a point
 * that repeats the previous position is dropped, and past [MAX_STROKES] strokes or
 * [MAX_POINTS] points the pad stops taking more and says so ([full]). Empty and single-dot
 * signatures are left to the core (`BadSignature`), which is the one judge.
 */
data class Signature(
    val width: Int,
    val height: Int,
    val strokes: List<List<StrokePoint>> = emptyList(),
    /** The first touch, in the caller's clock (epoch or uptime milliseconds). */
    val startMs: Long? = null,
    val drawing: Boolean = false,
    val full: Boolean = false,
) {
    init {
        require(width in 1..MAX_CANVAS && height in 1..MAX_CANVAS) { "canvas must be 1..$MAX_CANVAS each way" }
    }

    val pointCount: Int get() = strokes.sumOf { it.size }
    val isEmpty: Boolean get() = pointCount == 0

    /** A finger or stylus touched the canvas: a new stroke begins. */
    fun down(x: Float, y: Float, tMs: Long, pressure: Int): Signature {
        if (strokes.size >= MAX_STROKES || pointCount >= MAX_POINTS) return copy(full = true, drawing = false)
        val start = startMs ?: tMs
        val started = copy(strokes = strokes + listOf(emptyList()), startMs = start, drawing = true)
        return started.append(x, y, tMs, pressure)
    }

    /** The pointer moved while down. */
    fun move(x: Float, y: Float, tMs: Long, pressure: Int): Signature =
        if (drawing) append(x, y, tMs, pressure) else this

    /** The pointer went up: the stroke ends. */
    fun up(): Signature = copy(drawing = false)

    fun cleared(): Signature = Signature(width, height)

    private fun append(x: Float, y: Float, tMs: Long, pressure: Int): Signature {
        if (pointCount >= MAX_POINTS) return copy(full = true, drawing = false)
        val stroke = strokes.last()
        val last = stroke.lastOrNull()
        val point = StrokePoint(
            x = x.toInt().coerceIn(0, width),
            y = y.toInt().coerceIn(0, height),
            tMs = ((tMs - (startMs ?: tMs)).coerceIn(0, Int.MAX_VALUE.toLong()).toInt()).coerceAtLeast(last?.tMs ?: 0),
            pressure = pressure.coerceIn(0, MAX_PRESSURE),
        )
        if (last != null && last.x == point.x && last.y == point.y) return this
        return copy(strokes = strokes.dropLast(1) + listOf(stroke + point))
    }

    fun toJson(): String = buildString {
        append("""{"canvas":{"width":""").append(width).append(""","height":""").append(height).append("""},"strokes":[""")
        strokes.filter { it.isNotEmpty() }.forEachIndexed { i, stroke ->
            if (i > 0) append(',')
            append('[')
            stroke.forEachIndexed { j, p ->
                if (j > 0) append(',')
                append('[').append(p.x).append(',').append(p.y).append(',').append(p.tMs).append(',').append(p.pressure).append(']')
            }
            append(']')
        }
        append("]}")
    }

    companion object {
        const val MAX_CANVAS = 10_000
        const val MAX_STROKES = 64
        const val MAX_POINTS = 10_000
        const val MAX_PRESSURE = 1000
    }
}
