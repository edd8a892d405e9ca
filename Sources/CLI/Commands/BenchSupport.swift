import Foundation
import SentimentKit

// Measuring helpers shared by the `bench` subcommands.

enum Bench {
    /// Wall-clock seconds `body` takes.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// User + system CPU seconds of this process so far (all threads).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)   // glibc's enum wrapper
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// CPU seconds used by the calling thread.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// GF/s of `body`, which does `flops` floating-point operations: called until both `minimumSeconds` have passed
    /// and `minimumCalls` calls were made.
    static func gigaflops(_ flops: Double, minimumSeconds: Double = 0.3, minimumCalls: Int = 3, _ body: () -> Void) -> Double {
        var calls = 0, elapsed = 0.0
        while elapsed < minimumSeconds || calls < minimumCalls {
            elapsed += seconds(body)
            calls += 1
        }
        return flops * Double(calls) / elapsed / 1e9
    }

    /// The GEMM ceiling `bench encoder` and `bench train-step` measure against: GF/s of a BLAS sgemm of a linear
    /// layer's shape, x[rows, inFeatures] · W[outFeatures, inFeatures]ᵀ, on this machine now.
    static func sgemmGigaflops(rows: Int, inFeatures: Int, outFeatures: Int) -> Double {
        let x = [Float](repeating: 0.01, count: rows * inFeatures), w = [Float](repeating: 0.02, count: outFeatures * inFeatures)
        var out = [Float](repeating: 0, count: rows * outFeatures)
        return gigaflops(2 * Double(rows) * Double(inFeatures) * Double(outFeatures)) {
            sgemm(.none, .transposed, m: rows, n: outFeatures, k: inFeatures, a: x, lda: inFeatures,
                  b: w, ldb: inFeatures, c: &out, ldc: outFeatures)
        }
    }

    /// Threads for BLAS and for our kernels alike (`--threads`).
    static func setThreads(_ count: Int) {
        BLAS.threads = count
        Parallel.threads = count
    }
}
