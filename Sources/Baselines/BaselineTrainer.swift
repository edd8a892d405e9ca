import Foundation
import SentimentCore
import SentimentData

/// Texts with class ids (0..<labels.count) — one split of a data set.
public struct LabeledTexts: Sendable {
    public var texts: [String]
    public var labels: [Int]
    public init(texts: [String], labels: [Int]) {
        self.texts = texts
        self.labels = labels
    }
    public var count: Int { texts.count }

    /// One split of a data set: its texts and their label ids in `dataset.labels` order.
    public init(_ dataset: Dataset, _ split: Split) {
        self.init(texts: dataset.split(split).map(\.text), labels: dataset.labelIDs(split))
    }
}

/// Trains a baseline: fits the vectoriser on the training split, picks C by dev accuracy over a grid (unless C is
/// given), fits the classifier with that C on the training split, and (SVM) fits the score scale on dev.
public enum BaselineTrainer {
    public static func train(kind: BaselineKind, labels: [String], train: LabeledTexts, dev: LabeledTexts?,
                             C fixedC: Double? = nil, grid: [Double]? = nil, dataName: String = "",
                             log: (String) -> Void = { _ in }) throws -> BaselineModel {
        guard train.texts.count == train.labels.count, dev.map({ $0.texts.count == $0.labels.count }) ?? true else {
            throw BaselineError.invalidTrainingData("texts and labels differ in count")
        }
        let grid = grid ?? kind.defaultGrid
        guard fixedC != nil || !grid.isEmpty else { throw BaselineError.invalidOption("empty C grid") }
        let clock = ContinuousClock()

        // The vectoriser does not depend on C: fitted once, timed as part of training.
        let start = clock.now
        let (extractor, x) = try kind.featureExtractor.fitted(on: train.texts)
        let vectoriserSeconds = (clock.now - start).seconds
        let xDev = dev.flatMap { $0.count > 0 ? extractor.transform($0.texts) : nil }

        // Tune C on dev, keeping the best fit (the solvers are deterministic: refitting would give the same model).
        typealias Fit = (model: LinearModel, iterations: Int, converged: Bool, seconds: Double)
        func fit(_ C: Double) throws -> Fit {
            let fitStart = clock.now
            let (model, iterations, converged) = try fitClassifier(kind, C: C, x, train.labels, classCount: labels.count, log: log)
            return (model, iterations, converged, (clock.now - fitStart).seconds)
        }
        var devAccuracyByC: [String: Double] = [:]
        var C = fixedC ?? grid[0]
        var chosen: (fit: Fit, devDecision: [[Double]])?
        if fixedC == nil, let dev, let xDev, grid.count > 1 {
            var best = -1.0
            for candidate in grid {
                let candidateFit = try fit(candidate)
                let decision = candidateFit.model.decisionValues(xDev)
                let accuracy = Self.accuracy(decision, dev.labels)
                devAccuracyByC[String(candidate)] = accuracy
                log("  C=\(candidate): dev accuracy \(String(format: "%.4f", accuracy))")
                if accuracy > best { (best, C, chosen) = (accuracy, candidate, (candidateFit, decision)) }  // ties keep the smaller C (grid ascending)
            }
        }
        let final = try chosen?.fit ?? fit(C)
        let classifier = final.model
        let trainSeconds = vectoriserSeconds + final.seconds   // vectoriser + the chosen classifier's fit

        var scoring = ScoreMapping.probabilities
        var devAccuracy: Double?
        if let dev, let xDev {
            let decision = chosen?.devDecision ?? classifier.decisionValues(xDev)
            devAccuracy = accuracy(decision, dev.labels)
            if kind == .bowSVM { scoring = .scaledDecision(scale: ScoreScale.fit(decision: decision, labels: dev.labels)) }
        } else if kind == .bowSVM {
            scoring = .scaledDecision(scale: 1)
        }
        let summary = BaselineTrainingSummary(
            data: dataName, C: C, devAccuracyByC: devAccuracyByC, devAccuracy: devAccuracy, trainSize: train.count,
            devSize: dev?.count ?? 0, trainSeconds: trainSeconds, solverIterations: final.iterations, solverConverged: final.converged,
            createdAt: ISO8601DateFormatter().string(from: Date()))
        return try BaselineModel(name: kind.rawValue, kind: kind, labels: labels, features: extractor,
                                 classifier: classifier, scoring: scoring, training: summary)
    }

    /// Fits the kind's classifier; a solver that stops at its iteration limit is reported through `log`.
    static func fitClassifier(_ kind: BaselineKind, C: Double, _ x: SparseMatrix, _ labels: [Int], classCount: Int,
                              log: (String) -> Void = { _ in }) throws -> (model: LinearModel, iterations: Int, converged: Bool) {
        let result: (model: LinearModel, iterations: Int, converged: Bool)
        switch kind {
        case .bowSVM:
            let svm = LinearSVC(C: C)
            let (model, iterations) = try svm.fit(x, labels: labels, classCount: classCount)
            let most = iterations.max() ?? 0
            result = (model, most, most < svm.maxIterations)
        case .tfidfLogReg:
            let (model, info) = try LogisticRegression(C: C).fit(x, labels: labels, classCount: classCount)
            result = (model, info.iterations, info.converged)
        }
        if !result.converged { log("  warning: C=\(C): the solver stopped after \(result.iterations) iterations without converging") }
        return result
    }

    static func accuracy(_ decision: [[Double]], _ labels: [Int]) -> Double {
        guard !labels.isEmpty else { return 0 }
        let right = zip(decision, labels).filter { LinearModel.predictedClass($0) == $1 }.count
        return Double(right) / Double(labels.count)
    }
}

/// The scale a of `ScoreMapping.scaledDecision`: arg min over a > 0 of the log loss of σ(a·f) / softmax(a·f).
/// The loss is convex in a, hence unimodal in ln a: golden-section search on ln a ∈ [ln 1e-4, ln 1e4].
enum ScoreScale {
    static func fit(decision: [[Double]], labels: [Int]) -> Double {
        func loss(_ logScale: Double) -> Double {
            let a = exp(logScale)
            var total = 0.0
            for (f, y) in zip(decision, labels) {
                let p = LogisticRegression.probabilities(f.map { a * $0 })
                total -= log(max(p[y], 1e-300))
            }
            return total
        }
        var low = log(1e-4), high = log(1e4)
        let ratio = (5.0.squareRoot() - 1) / 2
        var left = high - ratio * (high - low), right = low + ratio * (high - low)
        var lossLeft = loss(left), lossRight = loss(right)
        while high - low > 1e-6 {
            if lossLeft < lossRight {
                (high, right, lossRight) = (right, left, lossLeft)
                left = high - ratio * (high - low)
                lossLeft = loss(left)
            } else {
                (low, left, lossLeft) = (left, right, lossRight)
                right = low + ratio * (high - low)
                lossRight = loss(right)
            }
        }
        return exp((low + high) / 2)
    }
}
