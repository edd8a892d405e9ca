import ArgumentParser
import SentimentKit

/// `--precision fp32|bf16|int8` (classify, evaluate, serve, bench classify).
extension Precision: ExpressibleByArgument {}

/// The help text every `--precision` shares.
enum PrecisionHelp {
    static let text: ArgumentHelp = """
        Number format of the encoder's linear layers: fp32, bf16 (AVX512_BF16) or int8 (weights per channel, \
        activations per token; VNNI). Attention and layer norm stay fp32.
        """
}
