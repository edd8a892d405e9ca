import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment bench tokenize`: single-thread tokenizer throughput on the Rotten Tomatoes corpus (texts/s, MB/s),
/// comparable with HF's figure that scripts/fixtures/tokenizer_parity.py prints for the same texts.
struct BenchTokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenizer throughput on the Rotten Tomatoes corpus, one thread (texts/s, MB/s)."
    )

    @Option(name: .long, help: "Catalog model name or model folder(s); repeat for several.")
    var model: [String] = ["all-MiniLM-L6-v2"]

    @Option(name: .long, help: "Timed passes over the corpus; the best is reported.")
    var repeats = 5

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be ≥ 1") }
    }

    func run() throws {
        let texts = try Datasets.load("rotten-tomatoes").all.map(\.text)
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        print("Rotten Tomatoes: \(texts.count) texts, \(String(format: "%.2f", Double(bytes) / 1e6)) MB of UTF-8; "
              + "encodeBatch on 1 thread, best of \(repeats) passes (after one warm-up pass)")
        for name in model {
            let tokenizer = try AutoTokenizer.load(folder: ModelLocator.folder(for: name))
            var tokens = 0
            _ = try tokenizer.encodeBatch(texts, options: EncodingOptions())  // warm-up: Unicode tables
            var bestWall = Double.infinity
            var bestCPU = Double.infinity
            for _ in 0..<repeats {
                let wall = DispatchTime.now().uptimeNanoseconds
                let cpu = Bench.threadCPUSeconds()
                let encodings = try tokenizer.encodeBatch(texts, options: EncodingOptions())
                bestCPU = min(bestCPU, Bench.threadCPUSeconds() - cpu)
                bestWall = min(bestWall, Double(DispatchTime.now().uptimeNanoseconds - wall) / 1e9)
                tokens = encodings.reduce(0) { $0 + $1.count }
            }
            // CPU time is the fair figure on a shared machine (other processes stretch the wall clock).
            print("\(name): CPU time \(Int(Double(texts.count) / bestCPU)) texts/s, "
                  + String(format: "%.1f MB/s, %.2f M tokens/s", Double(bytes) / bestCPU / 1e6, Double(tokens) / bestCPU / 1e6)
                  + "; wall clock \(Int(Double(texts.count) / bestWall)) texts/s")
        }
    }
}
