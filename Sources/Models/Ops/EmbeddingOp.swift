/// The embeddings before their LayerNorm (HF `BertEmbeddings`, `RobertaEmbeddings`, DistilBERT `Embeddings`,
/// `MPNetEmbeddings`): e[n] = (word[id_n] + tokenType[type_n]) + position[pos_n], in HF's summation order; no token
/// type table for DistilBERT and MPNet. Backward scatter-adds into the tables.
package enum EmbeddingOp {
    /// out[N, C]. `typeIds` nil means type 0 everywhere; `tokenType` nil means the family has no such table.
    package static func forward(
        ids: UnsafePointer<Int32>, typeIds: UnsafePointer<Int32>?, positions: UnsafePointer<Int32>, count: Int, dim C: Int,
        word: UnsafePointer<Float>, position: UnsafePointer<Float>, tokenType: UnsafePointer<Float>?,
        out: UnsafeMutablePointer<Float>
    ) {
        for n in 0..<count {
            let o = out + n * C
            let w = word + Int(ids[n]) * C, p = position + Int(positions[n]) * C
            if let tokenType {
                let t = tokenType + Int(typeIds?[n] ?? 0) * C
                for i in 0..<C { o[i] = (w[i] + t[i]) + p[i] }
            } else {
                for i in 0..<C { o[i] = w[i] + p[i] }
            }
        }
    }

    /// Tables' gradients += scatter of dout[N, C] (serial: repeated ids hit the same rows). nil = frozen or absent.
    /// Rows at `paddingIdx` get no gradient, as torch.nn.Embedding(padding_idx=…) (word and position tables).
    package static func backward(
        _ dout: UnsafePointer<Float>, ids: UnsafePointer<Int32>, typeIds: UnsafePointer<Int32>?,
        positions: UnsafePointer<Int32>, count: Int, dim C: Int, paddingIdx: Int32? = nil,
        dWord: UnsafeMutablePointer<Float>?, dPosition: UnsafeMutablePointer<Float>?, dTokenType: UnsafeMutablePointer<Float>?,
        positionPaddingIdx: Int32? = nil
    ) {
        for n in 0..<count {
            let d = dout + n * C
            if let dWord, ids[n] != paddingIdx { axpy(1, d, dWord + Int(ids[n]) * C, C) }
            if let dPosition, positions[n] != positionPaddingIdx { axpy(1, d, dPosition + Int(positions[n]) * C, C) }
            if let dTokenType { axpy(1, d, dTokenType + Int(typeIds?[n] ?? 0) * C, C) }
        }
    }
}
