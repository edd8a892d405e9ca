import SentimentCore
import SentimentModels
import XCTest

@testable import SentimentTraining

/// Data order, metrics and early stopping: the parts of the trainer that need no model.
final class TrainerBuildingBlockTests: XCTestCase {
    func testShuffleGeneratorStateRoundTripsThroughJSONAndContinuesIdentically() throws {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<5 { _ = rng.next() }
        var restored = try JSONDecoder().decode(SeededGenerator.self, from: JSONEncoder().encode(rng))
        XCTAssertEqual((0..<10).map { _ in rng.next() }, (0..<10).map { _ in restored.next() })
    }

    func testFisherYatesIsPinned() {
        // Reference: SplitMix64 + Lemire + Fisher–Yates re-implemented in Python. Pinned so that a change of algorithm (which would silently change every data order) is noticed.
        var rng = SeededGenerator(seed: 13)
        var items = Array(0..<10)
        rng.shuffle(&items)
        print("shuffle(0..<10, seed 13):", items)
        XCTAssertEqual(items, [3, 0, 9, 6, 1, 4, 8, 5, 2, 7])  // same algorithm in Python
    }

    func testBelowIsUniformEnough() {
        var rng = SeededGenerator(seed: 1)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[rng.below(6)] += 1 }
        // 10,000 expected per bucket; 5 sigma ≈ 456.
        print("below(6) counts:", counts)
        for c in counts { XCTAssertEqual(Double(c), 10_000, accuracy: 456) }
    }

    /// Lengths of a realistic corpus: 1,000 sentences of 5…80 tokens.
    private func lengths(seed: UInt64 = 99) -> [Int] {
        var rng = SeededGenerator(seed: seed)
        return (0..<1_000).map { _ in 5 + rng.below(76) }
    }

    func testPlanCoversEveryExampleOnceWithBatchesOfSimilarLength() {
        let lengths = lengths()
        var rng = SeededGenerator(seed: 13)
        let plan = LengthBucketedBatches.plan(lengths: lengths, batchSize: 32, windowBatches: 10, rng: &rng)
        XCTAssertEqual(plan.flatMap { $0 }.sorted(), Array(0..<1_000))
        XCTAssertTrue(plan.allSatisfy { $0.count <= 32 && !$0.isEmpty })
        // Padding waste: Σ (batch max − length) / Σ length. Random batches waste ~90 % here; bucketed ones little.
        func waste(_ batches: [[Int]]) -> Double {
            let padded = batches.reduce(0) { $0 + $1.count * ($1.map { lengths[$0] }.max() ?? 0) }
            let real = lengths.reduce(0, +)
            return Double(padded - real) / Double(real)
        }
        let random = stride(from: 0, to: 1_000, by: 32).map { Array($0..<min($0 + 32, 1_000)) }
        print("padding waste: bucketed \(waste(plan)), file order \(waste(random))")
        // Windows of 320 over lengths 5…80: each batch spans ~8 tokens, ~4 wasted per ~42 real.
        XCTAssertLessThan(waste(plan), 0.15)
        XCTAssertGreaterThan(waste(random), 0.5)
    }

    func testPlanIsReproducibleAndChangesWithSeedAndEpoch() {
        let lengths = lengths()
        var a = SeededGenerator(seed: 13), b = SeededGenerator(seed: 13), c = SeededGenerator(seed: 14)
        let first = LengthBucketedBatches.plan(lengths: lengths, batchSize: 16, rng: &a)
        XCTAssertEqual(first, LengthBucketedBatches.plan(lengths: lengths, batchSize: 16, rng: &b))
        XCTAssertNotEqual(first, LengthBucketedBatches.plan(lengths: lengths, batchSize: 16, rng: &c))
        // The next epoch draws from the advanced generator: a different order.
        XCTAssertNotEqual(first, LengthBucketedBatches.plan(lengths: lengths, batchSize: 16, rng: &a))
    }

    func testSequentialBatchesCoverEverythingInLengthOrder() {
        let lengths = [3, 9, 1, 9, 4]
        XCTAssertEqual(LengthBucketedBatches.sequential(lengths: lengths, batchSize: 2), [[1, 3], [4, 0], [2]])
    }

    func testMetricsMatchScikitLearn() {
        // Reference: sklearn accuracy_score / f1_score(average="macro", zero_division=0) on the same lists.
        let labels = [0, 0, 1, 1, 2, 2, 2, 1, 0, 2], predictions = [0, 1, 1, 1, 2, 0, 2, 2, 0, 1]
        let three = ClassificationMetrics(predictions: predictions, labels: labels, numClasses: 3)
        XCTAssertEqual(three.accuracy, 0.6, accuracy: 1e-12)
        XCTAssertEqual(three.macroF1, 0.6031746031746031, accuracy: 1e-12)
        // A class absent from both lists counts as F1 0 (labels=[0,1,2,3]).
        let four = ClassificationMetrics(predictions: predictions, labels: labels, numClasses: 4)
        for (got, want) in zip(four.perClassF1, [0.6666666666666666, 0.5714285714285714, 0.5714285714285714, 0]) {
            XCTAssertEqual(got, want, accuracy: 1e-12)
        }
        XCTAssertEqual(four.macroF1, 0.4523809523809524, accuracy: 1e-12)
    }

    func testCrossEntropyAndArgmax() {
        let logits: [[Float]] = [[2, 0], [0, 0], [-1, 3, 3]]
        XCTAssertEqual(argmaxRows(logits), [0, 0, 1])
        // −log softmax: log(1+e^−2), log 2, log(e^−4 + 2) − 3 + 3 … computed by hand.
        let expected = (log(1 + exp(-2.0)) + log(2.0) + (log(exp(-1.0) + 2 * exp(3.0)) - 3)) / 3
        XCTAssertEqual(meanCrossEntropy(logits: logits, labels: [0, 1, 2]), expected, accuracy: 1e-12)
    }

    func testEarlyStoppingKeepsBestEpochAndStopsAfterPatience() {
        var stopping = EarlyStopping(metric: .accuracy, patience: 2)
        func m(_ accuracy: Double) -> ClassificationMetrics {
            let correct = Int(accuracy * 100)
            return ClassificationMetrics(predictions: Array(repeating: 1, count: 100),
                                         labels: Array(repeating: 1, count: correct) + Array(repeating: 0, count: 100 - correct),
                                         numClasses: 2)
        }
        XCTAssertTrue(stopping.record(epoch: 1, m(0.80)))
        XCTAssertTrue(stopping.record(epoch: 2, m(0.85)))
        XCTAssertFalse(stopping.record(epoch: 3, m(0.85)))  // equal is not better
        XCTAssertFalse(stopping.shouldStop)
        XCTAssertFalse(stopping.record(epoch: 4, m(0.84)))
        XCTAssertTrue(stopping.shouldStop)
        XCTAssertEqual(stopping.bestEpoch, 2)
        var byLoss = EarlyStopping(metric: .loss, patience: nil)
        var low = m(0.5); low.loss = 0.3
        var high = m(0.9); high.loss = 0.4
        XCTAssertTrue(byLoss.record(epoch: 1, high))
        XCTAssertTrue(byLoss.record(epoch: 2, low))   // lower loss is better
        XCTAssertFalse(byLoss.shouldStop)
    }

    func testProgressClockFormat() {
        XCTAssertEqual(TrainingProgress.clock(75), "1:15")
        XCTAssertEqual(TrainingProgress.clock(3_725), "1:02:05")
    }
}
