/// Number format of an inference model's linear layers (`LoadOptions.precision`, `--precision`).
/// Attention, layer norm, softmax and the residual stream stay fp32 in every precision.
public enum Precision: String, CaseIterable, Sendable, Codable {
    /// float32 weights and activations.
    case fp32
    /// Weights and activations rounded to bfloat16, products summed in fp32 (AVX512_BF16).
    case bf16
    /// Weights int8 per output channel, activations int8 per row (per token, at run time), int32 sums (VNNI).
    case int8
}
