/// BertEmbeddings before its LayerNorm: e[n] = word[id_n] + position[pos_n] + tokenType[type_n], positions restarting
/// at 0 for each packed sequence (HF position_ids = arange(T)). Backward scatter-adds into the three tables.
enum EmbeddingLayer {
    /// out[N, C]. `typeIds` nil means type 0 everywhere.
    static func forward(
        ids: UnsafePointer<Int32>, typeIds: UnsafePointer<Int32>?, positions: UnsafePointer<Int32>, count: Int, dim C: Int,
        word: UnsafePointer<Float>, position: UnsafePointer<Float>, tokenType: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>
    ) {
        for n in 0..<count {
            let o = out + n * C
            let w = word + Int(ids[n]) * C, p = position + Int(positions[n]) * C
            let t = tokenType + Int(typeIds?[n] ?? 0) * C
            for i in 0..<C { o[i] = w[i] + p[i] + t[i] }
        }
    }

    /// Tables' gradients += scatter of dout[N, C] (serial: repeated ids hit the same rows). nil = frozen.
    static func backward(
        _ dout: UnsafePointer<Float>, ids: UnsafePointer<Int32>, typeIds: UnsafePointer<Int32>?,
        positions: UnsafePointer<Int32>, count: Int, dim C: Int,
        dWord: UnsafeMutablePointer<Float>?, dPosition: UnsafeMutablePointer<Float>?, dTokenType: UnsafeMutablePointer<Float>?
    ) {
        for n in 0..<count {
            let d = dout + n * C
            if let dWord { axpy(1, d, dWord + Int(ids[n]) * C, C) }
            if let dPosition { axpy(1, d, dPosition + Int(positions[n]) * C, C) }
            if let dTokenType { axpy(1, d, dTokenType + Int(typeIds?[n] ?? 0) * C, C) }
        }
    }
}
