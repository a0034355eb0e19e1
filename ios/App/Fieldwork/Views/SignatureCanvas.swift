import FieldworkShell
import SwiftUI
import UIKit

/// The signature pad: draws the ink and hands every touch (position in points, time, pressure)
/// to the signing view model, which records the strokes the report seals.
struct SignatureCanvas: UIViewRepresentable {
    let model: SigningViewModel

    func makeUIView(context: Context) -> SignaturePadView {
        let view = SignaturePadView()
        view.model = model
        return view
    }

    func updateUIView(_ view: SignaturePadView, context: Context) {
        view.model = model
        if model.recorder.isEmpty {
            view.clearInk()
        }
    }
}

final class SignaturePadView: UIView {
    weak var model: SigningViewModel?
    private var ink: [UIBezierPath] = []

    override init(frame: CGRect) {
        super.init(frame: frame)
        backgroundColor = .systemBackground
        isMultipleTouchEnabled = false
    }

    required init?(coder: NSCoder) {
        fatalError("init(coder:) is not used")
    }

    func clearInk() {
        guard !ink.isEmpty else { return }
        ink.removeAll()
        setNeedsDisplay()
    }

    override func layoutSubviews() {
        super.layoutSubviews()
        model?.canvasResized(width: Int(bounds.width.rounded()), height: Int(bounds.height.rounded()))
    }

    override func touchesBegan(_ touches: Set<UITouch>, with event: UIEvent?) {
        guard let touch = touches.first else { return }
        let point = touch.location(in: self)
        model?.touchBegan(x: point.x, y: point.y, timestamp: touch.timestamp, force: Self.force(touch))
        let path = UIBezierPath()
        path.lineWidth = 2.5
        path.lineCapStyle = .round
        path.move(to: point)
        ink.append(path)
        setNeedsDisplay()
    }

    override func touchesMoved(_ touches: Set<UITouch>, with event: UIEvent?) {
        guard let touch = touches.first else { return }
        // Coalesced touches: every sample the screen took since the last event.
        for sample in event?.coalescedTouches(for: touch) ?? [touch] {
            let point = sample.location(in: self)
            model?.touchMoved(x: point.x, y: point.y, timestamp: sample.timestamp, force: Self.force(sample))
            ink.last?.addLine(to: point)
        }
        setNeedsDisplay()
    }

    override func touchesEnded(_ touches: Set<UITouch>, with event: UIEvent?) {
        model?.touchEnded()
    }

    override func touchesCancelled(_ touches: Set<UITouch>, with event: UIEvent?) {
        model?.touchEnded()
    }

    override func draw(_ rect: CGRect) {
        UIColor.label.setStroke()
        ink.forEach { $0.stroke() }
    }

    /// Pressure as 0...1, or nil where the screen cannot measure it.
    private static func force(_ touch: UITouch) -> Double? {
        touch.maximumPossibleForce > 0 ? Double(touch.force / touch.maximumPossibleForce) : nil
    }
}
