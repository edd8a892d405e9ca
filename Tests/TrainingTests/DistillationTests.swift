import Foundation
import SentimentCore
import SentimentData
import SentimentModels
import XCTest

@testable import SentimentTraining

/// Whole distillation jobs on the toy data: a trained tiny teacher, its logits in a file, a fresh student.
final class DistillationTests: XCTestCase {
    /// The student learns the teacher from soft labels alone (alpha 1), on labelled and unlabelled texts; a text of
    /// the dev or test split offered as unlabelled is dropped; the logits file is complete afterwards, so a second
    /// run needs no teacher; every run writes calibration.json.
    func testStudentLearnsTheTeacherAndNeverSeesDevOrTestTexts() throws {
        let root = try TrainerFixtures.temporaryFolder(self)
        var teacherRecipe = FineTuningRecipe(base: TrainerFixtures.tinyBert.path, data: TrainerFixtures.toyCSV.path,
                                             configuration: TrainerFixtures.tinyConfiguration())
        teacherRecipe.configuration.checkpointEverySteps = nil
        let teacher = try FineTuning.run(teacherRecipe, output: root.appendingPathComponent("teacher"), showProgress: false)
        let teacherTest = try XCTUnwrap(teacher.test)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("teacher/calibration.json").path))
        XCTAssertNotNil(teacher.calibration)

        // Unlabelled: 2 dev texts, 2 test texts (must be dropped) and 30 texts of the toy vocabulary nobody labelled.
        let dataset = try Datasets.load(file: TrainerFixtures.toyCSV)
        let words = ["good", "bad", "dull", "fun", "movie", "plot", "the", "was", "very", "long", "quiet"]
        var rng = SeededGenerator(seed: 7)
        let fresh = (0..<30).map { _ in (0..<5).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ") }
        let offered = Array(dataset.dev.prefix(2).map(\.text)) + Array(dataset.test.prefix(2).map(\.text)) + fresh
        let unlabeledFile = root.appendingPathComponent("unlabeled.csv")
        try ("text\n" + offered.joined(separator: "\n") + "\n").write(to: unlabeledFile, atomically: true, encoding: .utf8)
        let expectedUnlabeled = Set(fresh).subtracting(dataset.all.map(\.text)).count

        var recipe = FineTuningRecipe(base: TrainerFixtures.tinyBert.path, data: TrainerFixtures.toyCSV.path,
                                      configuration: TrainerFixtures.tinyConfiguration())
        recipe.configuration.checkpointEverySteps = nil
        recipe.configuration.seed = 99
        recipe.configuration.distillation = .init(temperature: 2, alpha: 1)
        let logits = root.appendingPathComponent("teacher.sktl")
        recipe.distillation = DistillationRecipe(teacher: teacher.model, logits: logits.path, unlabeled: [unlabeledFile.path])
        let student = try FineTuning.run(recipe, output: root.appendingPathComponent("student"), showProgress: false,
                                         saveTeacherLogits: logits)
        XCTAssertEqual(student.unlabeledExamples, expectedUnlabeled)
        XCTAssertEqual(student.trainExamples, dataset.train.count + expectedUnlabeled)
        let file = try TeacherLogits.read(from: logits)
        XCTAssertEqual(file.header.count, Set(dataset.train.map(\.text) + fresh).count)
        for text in dataset.dev.map(\.text) + dataset.test.map(\.text) { XCTAssertNil(file.logits(for: text), text) }

        // Agreement of student and teacher on the test split.
        let studentTest = try XCTUnwrap(student.test)
        print(String(format: "toy distillation: teacher test %.3f, student test %.3f (soft labels only, %d unlabelled)",
                     teacherTest.accuracy, studentTest.accuracy, expectedUnlabeled))
        XCTAssertGreaterThan(studentTest.accuracy, 0.6)
        XCTAssertGreaterThan(studentTest.accuracy, teacherTest.accuracy - 0.15)

        // Without the teacher, from the complete file: the same texts, no teacher run.
        recipe.distillation!.teacher = root.appendingPathComponent("no-such-teacher").path
        let again = try FineTuning.run(recipe, output: root.appendingPathComponent("student2"), showProgress: false)
        XCTAssertEqual(again.trainExamples, student.trainExamples)
        // A text the file lacks, and no teacher: an error that says how to regenerate the file.
        try ("text\nan entirely new text\n").write(to: unlabeledFile, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FineTuning.run(recipe, output: root.appendingPathComponent("student3"), showProgress: false)) { error in
            XCTAssertTrue("\(error)".contains("regenerate"), "\(error)")
        }
    }

    /// The shipped logits cover every text the default distilled recipes train on: a fresh machine builds
    /// sentiment-en without the 110M-parameter teacher.
    func testShippedTeacherLogitsCoverTheDefaultRecipes() throws {
        for name in DefaultModels.recipes.keys.sorted() where DefaultModels.recipes[name]!.distillation != nil {
            let recipe = try XCTUnwrap(DefaultModels.recipes[name])
            let distillation = try XCTUnwrap(recipe.distillation)
            let url = Distillation.logitsURL(try XCTUnwrap(distillation.logits))
            guard FileManager.default.fileExists(atPath: url.path) else {
                XCTFail("\(name): \(url.path) is missing (README \"Distillation\" regenerates it)")
                continue
            }
            let file = try TeacherLogits.read(from: url)
            let dataset = try FineTuning.loadData(recipe, cache: .default)
            let texts = dataset.train.map(\.text) + (try Distillation.unlabeledTexts(distillation, exclude: dataset, cache: .default))
            let missing = texts.filter { file.logits(for: $0) == nil }
            let leaked = (dataset.dev + dataset.test).filter { file.logits(for: $0.text) != nil }
            print("\(name): \(file.header.count) teacher logits (\(file.header.teacher)) for \(texts.count) training texts; "
                  + "\(missing.count) missing, \(leaked.count) dev/test texts in the file")
            XCTAssertEqual(missing.count, 0)
            XCTAssertEqual(leaked.count, 0)
            XCTAssertEqual(Set(file.header.labels), Set(dataset.labels))
        }
    }
}
