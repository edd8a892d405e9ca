import SentimentTensor

/// torch.nn.Linear: y[N, out] = x[N, in] · Wᵀ + b, W stored [out, in] (a `Linear` view). Forward runs the weight's
/// pre-packed kernel when it has one (inference: `PackedWeights`, in the model's precision, GELU fusable into its
/// epilogue), else `GEMM.multiply` on the process's training engine (`GEMM.training`: BLAS, or our bf16 / fp32
/// kernel) — the trainer's views are unpacked; backward's three GEMMs run on that engine too.
package enum LinearOp {
    /// out[rows, out] = epilogue(x[rows, in] · Wᵀ + b). LoRA dropout's correction is the caller's
    /// (`forwardTraining`): it needs the pass's dropout key.
    package static func forward(_ layer: Linear, _ x: UnsafePointer<Float>, rows: Int, out: UnsafeMutablePointer<Float>,
                                epilogue: GEMMEpilogue = .none) {
        precondition(layer.droppedAdapters.isEmpty || epilogue == .none, "LoRA dropout corrects before any epilogue")
        if let packed = layer.packed {
            return packed.linear(x, rows: rows, bias: layer.bias?.pointer, out: out, epilogue: epilogue)
        }
        Kernels.linear(x, rows: rows, inFeatures: layer.inFeatures, weight: layer.weight.pointer, bias: layer.bias?.pointer,
                       outFeatures: layer.outFeatures, out: out)
        if epilogue == .gelu { Kernels.gelu(out, count: rows * layer.outFeatures, out: out) }
    }

    /// The training forward: `forward`, then, with the pass's `dropoutKey`, each dropped adapter's correction
    /// (`LoRAOp.dropoutForward`; row r of x is token `tokens?[r] ?? r`).
    package static func forwardTraining(_ layer: Linear, _ x: UnsafePointer<Float>, rows: Int, out: UnsafeMutablePointer<Float>,
                                        dropoutKey: UInt64?, tokens: [Int]? = nil) {
        forward(layer, x, rows: rows, out: out)
        guard let dropoutKey else { return }
        for v in layer.droppedAdapters {
            LoRAOp.dropoutForward(x, rows: rows, tokens: tokens, y: out, ldy: layer.outFeatures, adapter: v,
                                  key: DropoutRNG.siteKey(pass: dropoutKey, site: v.site))
        }
    }

    /// Backward of y = x·Wᵀ + b given dy[N, out]:
    ///   dx[N, in]  = dy · W
    ///   dW[out, in] += dyᵀ · x
    ///   db[out]    += Σ_rows dy
    /// Any of dx / dW / db may be nil (frozen or not needed).
    package static func backward(
        _ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, outFeatures: Int,
        dx: UnsafeMutablePointer<Float>?,
        dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?
    ) {
        if let dx {
            GEMM.multiply(.none, .none, m: rows, n: inFeatures, k: outFeatures, a: dy, lda: outFeatures,
                          b: weight, ldb: inFeatures, accumulate: false, c: dx, ldc: inFeatures)
        }
        if let dWeight {
            GEMM.multiply(.transposed, .none, m: outFeatures, n: inFeatures, k: rows, a: dy, lda: outFeatures,
                          b: x, ldb: inFeatures, accumulate: true, c: dWeight, ldc: inFeatures)
        }
        if let dBias {
            for r in 0..<rows { axpy(1, dy + r * outFeatures, dBias, outFeatures) }
        }
    }

    /// `backward` into a layer's gradient views: the weight and bias gradients where they train, then each LoRA
    /// adapter's A and B (`LoRAOp.backward`, on its rows of dy; with the forward pass's `dropoutKey` and the token
    /// of each row, its dropout's masks).
    package static func backward(
        _ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, outFeatures: Int, dx: UnsafeMutablePointer<Float>?, gradient: LinearGradient,
        dropoutKey: UInt64? = nil, tokens: [Int]? = nil
    ) {
        backward(dy, x: x, rows: rows, inFeatures: inFeatures, weight: weight, outFeatures: outFeatures, dx: dx,
                 dWeight: gradient.weight, dBias: gradient.bias)
        for g in gradient.adapters {
            LoRAOp.backward(dy + g.adapter.rows.lowerBound, ldy: outFeatures, x: x, rows: rows, adapter: g, dx: dx,
                            dropoutKey: dropoutKey.map { DropoutRNG.siteKey(pass: $0, site: g.adapter.site) }, tokens: tokens)
        }
    }
}
