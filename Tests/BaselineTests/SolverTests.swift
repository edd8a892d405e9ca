import Foundation
import XCTest

@testable import SentimentBaselines

/// Our LinearSVC (dual coordinate descent) and LogisticRegression (L-BFGS) against scikit-learn's liblinear and
/// lbfgs, both solved to a tight tolerance, coefficient by coefficient, on a binary and a 3-class problem.
final class SolverTests: XCTestCase {
    func testBinaryProblem() throws { try checkProblem("binary") }
    func testThreeClassProblem() throws { try checkProblem("multiclass") }

    private func checkProblem(_ name: String) throws {
        let problem = try XCTUnwrap(try fixture("solvers.json")[name] as? [String: Any])
        let texts = try XCTUnwrap(problem["texts"] as? [String])
        let labelNames = try XCTUnwrap(problem["labels"] as? [String])
        let extractor: FeatureExtractor = problem["vectorizer"] as? String == "tfidf"
            ? .tfidf(TfidfVectorizer()) : .counts(CountVectorizer(options: .init(binary: true)))
        let (fitted, x) = try extractor.fitted(on: texts)
        XCTAssertEqual(fitted.vocabulary, problem["vocabulary"] as? [String])
        let models = try XCTUnwrap(problem["models"] as? [String: [String: Any]])
        for (modelName, expected) in models.sorted(by: { $0.key < $1.key }) {
            let classes = try XCTUnwrap(expected["classes"] as? [String])
            let labels = labelNames.map { classes.firstIndex(of: $0)! }
            let C = try XCTUnwrap(expected["C"] as? Double)
            let model: LinearModel
            switch modelName {
            case "svm_squared_hinge", "svm_hinge":
                let svc = LinearSVC(C: C, loss: modelName == "svm_hinge" ? .hinge : .squaredHinge, tolerance: 1e-10,
                                    maxIterations: 200_000)
                model = try svc.fit(x, labels: labels, classCount: classes.count).model
            default:
                let (fit, info) = try LogisticRegression(C: C, tolerance: 1e-10, maxIterations: 20_000)
                    .fit(x, labels: labels, classCount: classes.count)
                print("\(name) \(modelName): L-BFGS \(info.iterations) iterations, converged \(info.converged)")
                model = fit
            }
            let coef = (expected["coef"] as! [[NSNumber]]).flatMap { $0.map(\.doubleValue) }
            let scale = coef.reduce(0) { max($0, abs($1)) }
            let dw = maxAbsDifference(model.weights, coef)
            let db = maxAbsDifference(model.intercepts, doubles(expected["intercept"]))
            let accuracy = BaselineTrainer.accuracy(model.decisionValues(x), labels)
            print("\(name) \(modelName): max |w| = \(scale), max |Δw| = \(dw), max |Δb| = \(db), train accuracy \(accuracy)")
            XCTAssertLessThanOrEqual(dw, 1e-5 * max(scale, 1), "\(name) \(modelName) weights")
            XCTAssertLessThanOrEqual(db, 1e-5 * max(scale, 1), "\(name) \(modelName) intercepts")
            XCTAssertEqual(accuracy, expected["train_accuracy"] as! Double, accuracy: 1e-12)
        }
    }

    func testProbabilitiesMatchPredictProba() throws {
        let problem = try XCTUnwrap(try fixture("solvers.json")["multiclass"] as? [String: Any])
        let texts = try XCTUnwrap(problem["texts"] as? [String])
        let expected = try XCTUnwrap((problem["models"] as? [String: [String: Any]])?["logreg"])
        let classes = expected["classes"] as! [String]
        let labels = (problem["labels"] as! [String]).map { classes.firstIndex(of: $0)! }
        let (_, x) = try FeatureExtractor.tfidf(TfidfVectorizer()).fitted(on: texts)
        let model = try LogisticRegression(C: expected["C"] as! Double, tolerance: 1e-10, maxIterations: 20_000)
            .fit(x, labels: labels, classCount: 3).model
        let ours = model.decisionValues(x).prefix(5).flatMap { LogisticRegression.probabilities($0) }
        let theirs = (expected["train_proba_first5"] as! [[NSNumber]]).flatMap { $0.map(\.doubleValue) }
        let delta = maxAbsDifference(ours, theirs)
        print("predict_proba: max |Δ| = \(delta)")
        XCTAssertLessThanOrEqual(delta, 1e-6)
    }

    func testInvalidTrainingSetsAreTypedErrors() throws {
        let x = SparseMatrix(rowCount: 2, columnCount: 1, rowOffsets: [0, 1, 2], columns: [0, 0], values: [1, 2])
        XCTAssertThrowsError(try LinearSVC().fit(x, labels: [0, 0], classCount: 2)) {
            XCTAssertEqual($0 as? BaselineError, .invalidTrainingData("the training set holds only one class"))
        }
        XCTAssertThrowsError(try LogisticRegression().fit(x, labels: [0], classCount: 2))
        XCTAssertThrowsError(try LinearSVC(C: 0).fit(x, labels: [0, 1], classCount: 2))
    }
}
