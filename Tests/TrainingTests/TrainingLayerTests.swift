import Foundation
import SentimentCore
import SentimentModels
import SentimentTensor
import XCTest

@testable import SentimentTraining

/// Finite-difference checks of every backward kernel on tiny shapes. References are written in Double (forward and
/// central differences with h = 1e-6), so the only error left is the Float32 arithmetic of the kernel under test.
final class TrainingLayerTests: XCTestCase {
    var rng = SeededGenerator(seed: 2024)

    func random(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in rng.nextNormal() * scale } }

    /// Central differences of f at x (Double).
    func numericGradient(_ x: [Float], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Float] {
        var xd = x.map(Double.init)
        return (0..<x.count).map { i in
            let old = xd[i]
            xd[i] = old + h; let up = f(xd)
            xd[i] = old - h; let down = f(xd)
            xd[i] = old
            return Float((up - down) / (2 * h))
        }
    }

    /// max |a − b| / max |b|, printed with a label.
    @discardableResult
    func assertClose(_ a: [Float], _ b: [Float], _ label: String, tolerance: Float = 1e-4,
                     file: StaticString = #filePath, line: UInt = #line) -> Float {
        XCTAssertEqual(a.count, b.count, label, file: file, line: line)
        let delta = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        let scale = b.map(abs).max() ?? 0
        let relative = delta / max(scale, 1e-12)
        print("\(label): max |Δ| \(delta), relative \(relative)")
        XCTAssertLessThanOrEqual(relative, tolerance, label, file: file, line: line)
        return relative
    }

    // MARK: linear

    func testLinearBackwardMatchesFiniteDifferences() throws {
        KernelPath.onEveryPath(name) {
            let N = 5, In = 7, Out = 4
            let x = random(N * In), w = random(Out * In), b = random(Out), r = random(N * Out)
            func f(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
                var s = 0.0
                for n in 0..<N { for o in 0..<Out {
                    var y = b[o]
                    for i in 0..<In { y += x[n * In + i] * w[o * In + i] }
                    s += Double(r[n * Out + o]) * y
                } }
                return s
            }
            let xd = x.map(Double.init), wd = w.map(Double.init), bd = b.map(Double.init)
            var dx = [Float](repeating: 0, count: N * In), dw = [Float](repeating: 0, count: Out * In)
            var db = [Float](repeating: 0, count: Out)
            LinearOp.backward(r, x: x, rows: N, inFeatures: In, weight: w, outFeatures: Out,
                              dx: &dx, dWeight: &dw, dBias: &db)
            assertClose(dx, numericGradient(x) { f($0, wd, bd) }, "linear dx")
            assertClose(dw, numericGradient(w) { f(xd, $0, bd) }, "linear dW")
            assertClose(db, numericGradient(b) { f(xd, wd, $0) }, "linear db")
            // Parameter gradients accumulate; dx is overwritten unless asked to accumulate.
            let dwOnce = dw, dxOnce = dx
            LinearOp.backward(r, x: x, rows: N, inFeatures: In, weight: w, outFeatures: Out,
                              dx: &dx, dWeight: &dw, dBias: nil)
            assertClose(dw, dwOnce.map { 2 * $0 }, "linear dW accumulates", tolerance: 1e-6)
            assertClose(dx, dxOnce, "linear dx overwritten", tolerance: 0)
        }
    }

    // MARK: layer norm

    func testLayerNormForwardAndBackwardMatchDoubleReference() throws {
        KernelPath.onEveryPath(name) {
            let N = 4, C = 13, eps: Float = 1e-5
            let x = random(N * C, scale: 2).map { $0 + 0.5 }, gamma = random(C).map { 1 + 0.3 * $0 }, beta = random(C)
            let r = random(N * C)
            func ln(_ x: [Double], _ g: [Double], _ b: [Double]) -> [Double] {
                var out = [Double](repeating: 0, count: N * C)
                for n in 0..<N {
                    let row = x[(n * C)..<((n + 1) * C)]
                    let mean = row.reduce(0, +) / Double(C)
                    let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(C)
                    for i in 0..<C { out[n * C + i] = (x[n * C + i] - mean) / (variance + Double(eps)).squareRoot() * g[i] + b[i] }
                }
                return out
            }
            func f(_ x: [Double], _ g: [Double], _ b: [Double]) -> Double { zip(ln(x, g, b), r).map { $0 * Double($1) }.reduce(0, +) }
            var out = [Float](repeating: 0, count: N * C), mean = [Float](repeating: 0, count: N), rstd = mean
            gamma.withUnsafeBufferPointer { g in beta.withUnsafeBufferPointer { b in
                let norm = LayerNorm(weight: Weight(pointer: g.baseAddress!, shape: [C]), bias: Weight(pointer: b.baseAddress!, shape: [C]),
                                     eps: eps)
                LayerNormOp.forward(norm, x, rows: N, out: &out, mean: &mean, rstd: &rstd)
            } }
            let xd = x.map(Double.init), gd = gamma.map(Double.init), bd = beta.map(Double.init)
            assertClose(out, ln(xd, gd, bd).map(Float.init), "layerNorm forward", tolerance: 1e-6)
            var dx = [Float](repeating: 0, count: N * C), dg = [Float](repeating: 0, count: C), db = dg
            LayerNormOp.backward(r, x: x, mean: mean, rstd: rstd, rows: N, cols: C, gamma: gamma, dx: &dx, dGamma: &dg, dBeta: &db)
            assertClose(dx, numericGradient(x) { f($0, gd, bd) }, "layerNorm dx")
            assertClose(dg, numericGradient(gamma) { f(xd, $0, bd) }, "layerNorm dγ")
            assertClose(db, numericGradient(beta) { f(xd, gd, $0) }, "layerNorm dβ")
        }
    }

    // MARK: activations

    func testGELUForwardAndBackwardMatchErfReference() throws {
        KernelPath.onEveryPath(name) {
            let x = (0..<203).map { Float($0 - 101) * 0.06 } + random(45, scale: 3)
            let r = random(x.count)
            func gelu(_ v: Double) -> Double { 0.5 * v * (1 + erf(v / 2.0.squareRoot())) }
            var out = [Float](repeating: 0, count: x.count)
            GELUOp.forward(x, count: x.count, out: &out)
            assertClose(out, x.map { Float(gelu(Double($0))) }, "gelu forward", tolerance: 1e-6)
            var d = r
            GELUOp.backward(&d, x: x, count: x.count)
            let numeric = numericGradient(x) { xs in zip(xs, r).map { gelu($0) * Double($1) }.reduce(0, +) }
            assertClose(d, numeric, "gelu backward")
        }
    }

    func testTanhBackwardMatchesFiniteDifferences() throws {
        KernelPath.onEveryPath(name) {
            let x = random(29, scale: 2), r = random(29)
            var y = [Float](repeating: 0, count: x.count)
            TanhOp.forward(x, count: x.count, out: &y)
            var d = r
            TanhOp.backward(&d, y: y, count: x.count)
            assertClose(d, numericGradient(x) { xs in zip(xs, r).map { Foundation.tanh($0) * Double($1) }.reduce(0, +) }, "tanh backward")
        }
    }

    // MARK: attention

    /// Double reference of the packed attention core; `mask` (scaled keep mask, probabilities layout) optional.
    func attentionReference(_ qkv: [Double], layout: PackedSequences, C: Int, mask: [Float]?) -> [Double] {
        let H = layout.heads, D = C / H
        var ctx = [Double](repeating: 0, count: layout.tokenCount * C)
        for s in 0..<layout.sequenceCount {
            let t0 = layout.offsets[s], T = layout.length(s)
            for h in 0..<H {
                let base = layout.probabilityOffsets[s] + h * T * T
                for i in 0..<T {
                    var scores = [Double](repeating: 0, count: T)
                    for j in 0..<T {
                        var s = 0.0
                        for d in 0..<D { s += qkv[(t0 + i) * 3 * C + h * D + d] * qkv[(t0 + j) * 3 * C + C + h * D + d] }
                        scores[j] = s / Double(D).squareRoot()
                    }
                    let m = scores.max()!
                    scores = scores.map { Foundation.exp($0 - m) }
                    let total = scores.reduce(0, +)
                    for j in 0..<T {
                        let p = scores[j] / total * Double(mask?[base + i * T + j] ?? 1)
                        for d in 0..<D { ctx[(t0 + i) * C + h * D + d] += p * qkv[(t0 + j) * 3 * C + 2 * C + h * D + d] }
                    }
                }
            }
        }
        return ctx
    }

    /// Packed attention vs the Double reference; `firstTokenOnly` checks the last-layer mode (queries of the first
    /// token of each sequence only, K and V of every token) against the matching rows of full attention.
    func checkAttention(dropout: Float?, firstTokenOnly: Bool = false) {
        let lengths = [3, 1, 6], H = 2, C = 8
        let full = PackedSequences(lengths: lengths, heads: H)
        let layout = PackedSequences(lengths: lengths, heads: H, firstTokenOnly: firstTokenOnly)
        let N = full.tokenCount, PT = layout.probabilityCount, R = layout.queryCount, S = full.sequenceCount
        var qkv = random(N * 3 * C)
        let r = random(R * C)
        var probs = [Float](repeating: 0, count: PT), dropped = probs, mask = probs
        var ctx = [Float](repeating: 0, count: R * C)
        var qFirst = (0..<S).flatMap { s in qkv[(full.offsets[s] * 3 * C)..<(full.offsets[s] * 3 * C + C)] }
        var scratch = [Float](repeating: 0, count: PT), dqkv = [Float](repeating: 0, count: N * 3 * C)
        var dqFirst = [Float](repeating: 0, count: S * C)
        qkv.withUnsafeMutableBufferPointer { qkvp in
            qFirst.withUnsafeMutableBufferPointer { qf in
                dqkv.withUnsafeMutableBufferPointer { dp in
                    dqFirst.withUnsafeMutableBufferPointer { dqf in
                        let base = qkvp.baseAddress!, d = dp.baseAddress!
                        let operands = firstTokenOnly
                            ? AttentionOperands(q: qf.baseAddress!, qStride: C, k: base + C, v: base + 2 * C, kvStride: 3 * C)
                            : AttentionOperands(q: base, qStride: 3 * C, k: base + C, v: base + 2 * C, kvStride: 3 * C)
                        let grads = firstTokenOnly
                            ? AttentionOperands(q: dqf.baseAddress!, qStride: C, k: d + C, v: d + 2 * C, kvStride: 3 * C)
                            : AttentionOperands(q: d, qStride: 3 * C, k: d + C, v: d + 2 * C, kvStride: 3 * C)
                        AttentionOp.forward(operands, layout: layout, hidden: C, probs: &probs, dropped: &dropped,
                                            mask: &mask, dropout: dropout.map { (p: $0, key: 99) }, ctx: &ctx)
                        AttentionOp.backward(dctx: r, operands, layout: layout, hidden: C, probs: probs,
                                             dropped: dropout == nil ? nil : dropped, mask: dropout == nil ? nil : mask,
                                             scratch: &scratch, grads: grads)
                    }
                }
            }
        }
        if firstTokenOnly {   // the queries' gradients belong to the first-token rows of Q
            for s in 0..<S { for i in 0..<C { dqkv[full.offsets[s] * 3 * C + i] += dqFirst[s * C + i] } }
        }
        // Reference: full attention with the same keep mask on the rows that were computed.
        var fullMask: [Float]? = nil
        if dropout != nil {
            var m = [Float](repeating: 1, count: full.probabilityCount)
            for s in 0..<S {
                let T = full.length(s)
                for h in 0..<H { for i in 0..<layout.queries(s) { for j in 0..<T {
                    m[full.probabilityOffsets[s] + h * T * T + i * T + j] =
                        mask[layout.probabilityOffsets[s] + h * layout.queries(s) * T + i * T + j]
                } } }
            }
            fullMask = m
            XCTAssertTrue(mask.contains(0) && mask.contains { $0 > 1 }, "dropout drew both outcomes")
        }
        let rows = (0..<S).flatMap { s in firstTokenOnly ? [full.offsets[s]] : Array(full.offsets[s]..<full.offsets[s + 1]) }
        func reference(_ q: [Double]) -> [Double] {
            let all = attentionReference(q, layout: full, C: C, mask: fullMask)
            return rows.flatMap { all[($0 * C)..<($0 * C + C)] }
        }
        let label = (dropout == nil ? "attention" : "attention+dropout") + (firstTokenOnly ? " (first token only)" : "")
        assertClose(ctx, reference(qkv.map(Double.init)).map(Float.init), "\(label) forward", tolerance: 1e-6)
        let numeric = numericGradient(qkv) { q in zip(reference(q), r).map { $0 * Double($1) }.reduce(0, +) }
        assertClose(dqkv, numeric, "\(label) dqkv")
    }

    func testAttentionBackwardMatchesFiniteDifferences() throws { KernelPath.onEveryPath(name) { checkAttention(dropout: nil) } }
    func testAttentionWithDropoutBackwardMatchesFiniteDifferences() throws { KernelPath.onEveryPath(name) { checkAttention(dropout: 0.3) } }
    func testFirstTokenAttentionBackwardMatchesFiniteDifferences() throws {
        KernelPath.onEveryPath(name) {
            checkAttention(dropout: nil, firstTokenOnly: true)
            checkAttention(dropout: 0.3, firstTokenOnly: true)
        }
    }

    // MARK: embeddings and dropout

    func testEmbeddingBackwardScatterAddsIntoRepeatedRows() throws {
        KernelPath.onEveryPath(name) {
            let C = 3, ids: [Int32] = [2, 0, 2, 1], types: [Int32] = [0, 1, 1, 0], positions: [Int32] = [0, 1, 0, 1]
            let dout: [Float] = (0..<12).map(Float.init)
            var dWord = [Float](repeating: 0, count: 4 * C), dPos = [Float](repeating: 0, count: 2 * C)
            var dType = [Float](repeating: 0, count: 2 * C)
            EmbeddingOp.backward(dout, ids: ids, typeIds: types, positions: positions, count: 4, dim: C,
                                 dWord: &dWord, dPosition: &dPos, dTokenType: &dType)
            XCTAssertEqual(dWord, [3, 4, 5, 9, 10, 11, 6, 8, 10, 0, 0, 0])  // row 2 = rows 0 + 2 of dout
            XCTAssertEqual(dPos, [6, 8, 10, 12, 14, 16])
            XCTAssertEqual(dType, [9, 11, 13, 9, 11, 13])
            var out = [Float](repeating: 0, count: 4 * C)
            let word = (0..<12).map(Float.init), pos: [Float] = [100, 100, 100, 200, 200, 200], type: [Float] = [0, 0, 0, 1000, 1000, 1000]
            EmbeddingOp.forward(ids: ids, typeIds: types, positions: positions, count: 4, dim: C, word: word,
                                position: pos, tokenType: type, out: &out)
            XCTAssertEqual(Array(out[0..<3]), [106, 107, 108])       // word row 2 + position 0 + type 0
            XCTAssertEqual(Array(out[3..<6]), [1200, 1201, 1202])    // word row 0 + position 1 + type 1
        }
    }

    func testDropoutKeepsOneMinusPAndScalesAndIsDeterministic() {
        let n = 200_000, p: Float = 0.1
        var x = [Float](repeating: 1, count: n), mask = x
        DropoutOp.forward(&x, count: n, p: p, key: 5, mask: &mask)
        let dropped = Float(mask.filter { $0 == 0 }.count) / Float(n)
        print("dropout: dropped fraction \(dropped) for p \(p)")
        XCTAssertEqual(dropped, p, accuracy: 0.005)
        XCTAssertTrue(mask.allSatisfy { $0 == 0 || abs($0 - 1 / (1 - p)) < 1e-7 })
        XCTAssertEqual(x, mask)
        var again = [Float](repeating: 1, count: n), mask2 = again
        DropoutOp.forward(&again, count: n, p: p, key: 5, mask: &mask2)
        XCTAssertEqual(mask, mask2, "same key, same mask")
        var rng = DropoutRNG(seed: 1)
        let k1 = rng.passKey(); rng.counter += 1
        XCTAssertNotEqual(k1, rng.passKey(), "each pass draws new masks")
        var d = [Float](repeating: 2, count: n)
        DropoutOp.backward(&d, count: n, mask: mask)
        XCTAssertEqual(d, mask.map { 2 * $0 })
    }
}
