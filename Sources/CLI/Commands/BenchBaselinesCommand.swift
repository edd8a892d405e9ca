import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment bench baselines`: train and predict wall time of both baselines with fixed C (the values scikit-learn's
/// grid picks on Rotten Tomatoes), median of --repeats runs, next to the test accuracy they reach.
struct BenchBaselinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baselines", abstract: "Time training and prediction of bow-svm and tfidf-logreg.")

    @Option(help: "Catalog data set or a labelled file.") var data = "rotten-tomatoes"
    @Option(help: "Runs per model (the median is reported).") var repeats = 3
    @Option(help: "C of bow-svm.") var svmC = 0.03
    @Option(help: "C of tfidf-logreg.") var logregC = 100.0

    func run() throws {
        try exitOnError {
            let dataset = try CLIData.load(data, textColumn: "text", labelColumn: "label")
            let train = LabeledTexts(dataset, .train), test = LabeledTexts(dataset, .test)
            let clock = ContinuousClock()
            var rows: [[String]] = []
            for kind in BaselineKind.allCases {
                let C = kind == .bowSVM ? svmC : logregC
                var trainTimes: [Double] = [], predictTimes: [Double] = []
                var accuracy = 0.0
                for _ in 0 ..< max(repeats, 1) {
                    var model: BaselineModel!
                    trainTimes.append(try clock.measure {
                        model = try BaselineTrainer.train(kind: kind, labels: dataset.labels, train: train, dev: nil, C: C)
                    }.seconds)
                    var decision: [[Double]] = []
                    predictTimes.append(clock.measure { decision = model.decisionValues(test.texts) }.seconds)
                    let right = zip(decision, test.labels).filter { LinearModel.predictedClass($0) == $1 }.count
                    accuracy = Double(right) / Double(test.count)
                }
                let train = trainTimes.sorted()[trainTimes.count / 2], predict = predictTimes.sorted()[predictTimes.count / 2]
                rows.append([kind.rawValue, String(format: "%g", C), String(format: "%.4f", accuracy), String(format: "%.3f", train),
                             String(format: "%.3f", predict), String(format: "%.0f", Double(test.count) / predict)])
            }
            print("\(dataset.name): \(train.count) train, \(test.count) test texts; median of \(repeats) runs\n")
            print(TerminalReport.table(headers: ["model", "C", "test accuracy", "train s", "predict s", "texts/s"], rows: rows,
                                       rightAligned: [1, 2, 3, 4, 5]), terminator: "")
        }
    }
}
