import Foundation

/// One captured point, in the integers the report seals: canvas units, milliseconds since the
/// signature began, pressure 0...1000.
public struct SignaturePoint: Equatable, Sendable {
    public let x: Int
    public let y: Int
    public let tMs: Int
    public let pressure: Int
}

/// Records the customer's signature from touch events and writes the strokes JSON
/// `sign_report` takes: `{"canvas":{"width":W,"height":H},"strokes":[[[x,y,t_ms,pressure],...],...]}`.
/// Points are clamped to the canvas, time never goes backwards within a stroke, and input past
/// the core's limits (64 strokes, 10,000 points) is dropped rather than refused at signing.
public struct SignatureRecorder: Equatable, Sendable {
    public static let maxStrokes = 64
    public static let maxPoints = 10_000
    /// Pressure recorded when the screen cannot measure it.
    public static let defaultPressure = 500

    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var strokes: [[SignaturePoint]] = []
    /// The timestamp (seconds, any epoch) of the signature's first touch.
    private var origin: TimeInterval?
    private var drawing = false

    public init(width: Int, height: Int) {
        self.width = max(width, 1)
        self.height = max(height, 1)
    }

    public var isEmpty: Bool { strokes.isEmpty }
    public var pointCount: Int { strokes.reduce(0) { $0 + $1.count } }
    /// True once the limits drop further input: the customer should clear and sign again.
    public var isFull: Bool { strokes.count >= Self.maxStrokes || pointCount >= Self.maxPoints }

    /// A new canvas size (the view was laid out again) clears what was drawn.
    public mutating func resize(width: Int, height: Int) {
        guard width != self.width || height != self.height else { return }
        self = SignatureRecorder(width: width, height: height)
    }

    public mutating func clear() {
        self = SignatureRecorder(width: width, height: height)
    }

    /// A finger or pencil touched down. `force` is 0...1 (UITouch.force over its maximum), or
    /// nil where the screen has no pressure sensing.
    public mutating func begin(x: Double, y: Double, timestamp: TimeInterval, force: Double?) {
        guard strokes.count < Self.maxStrokes, pointCount < Self.maxPoints else {
            drawing = false
            return
        }
        if origin == nil {
            origin = timestamp
        }
        strokes.append([point(x: x, y: y, timestamp: timestamp, force: force, after: nil)])
        drawing = true
    }

    public mutating func move(x: Double, y: Double, timestamp: TimeInterval, force: Double?) {
        guard drawing, pointCount < Self.maxPoints, let last = strokes.last?.last else { return }
        let next = point(x: x, y: y, timestamp: timestamp, force: force, after: last)
        if next.x == last.x && next.y == last.y {
            return
        }
        strokes[strokes.count - 1].append(next)
    }

    public mutating func end() {
        drawing = false
    }

    /// The strokes JSON for `sign_report`.
    public func json() -> String {
        let lines = strokes.map { stroke in
            "[" + stroke.map { "[\($0.x),\($0.y),\($0.tMs),\($0.pressure)]" }.joined(separator: ",") + "]"
        }
        return "{\"canvas\":{\"width\":\(width),\"height\":\(height)},\"strokes\":[" + lines.joined(separator: ",") + "]}"
    }

    private func point(x: Double, y: Double, timestamp: TimeInterval, force: Double?, after last: SignaturePoint?) -> SignaturePoint {
        let elapsed = Int(((timestamp - (origin ?? timestamp)) * 1000).rounded())
        let pressure = force.map { Int(($0 * 1000).rounded()) } ?? Self.defaultPressure
        return SignaturePoint(
            x: Self.clamp(Int(x.rounded()), 0, width),
            y: Self.clamp(Int(y.rounded()), 0, height),
            tMs: max(elapsed, last?.tMs ?? 0),
            pressure: Self.clamp(pressure, 0, 1000)
        )
    }

    private static func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int {
        min(max(value, low), high)
    }
}
