import ArgumentParser
import Foundation
import SentimentKit

/// Runs the body of a command that uses a pipeline: a `PipelineError` prints as `error: …` and exits 65 (the input's
/// fault) or 69 (the model's: missing, unusable), any other error that describes itself exits 69 (sysexits.h).
func runReportingPipelineErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as PipelineError {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(error.isInputError ? 65 : 69)
    } catch let error as CustomStringConvertible & Error {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        throw ExitCode(69)
    }
}
