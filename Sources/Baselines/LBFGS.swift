/// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a weak-Wolfe bisection line search
/// (Lewis & Overton): the unconstrained smooth minimiser behind logistic regression and probability calibration.
struct LBFGS {
    /// Pairs (s, y) kept for the inverse-Hessian estimate.
    var memory = 10
    var maxIterations = 1000
    /// Converged when max |∂f/∂x_j| ≤ this (scipy's `gtol`, which scikit-learn sets to `tol`).
    var gradientTolerance = 1e-6
    /// … or when the relative decrease of f in one step is below this (scipy's `ftol` default for sklearn, 64 ε).
    var relativeDecreaseTolerance = 64 * Double.ulpOfOne

    struct Result {
        var x: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    /// Minimises f from `start`; `objective(x, &gradient)` returns f(x) and writes ∇f(x).
    func minimize(from start: [Double], _ objective: ([Double], inout [Double]) -> Double) -> Result {
        var x = start
        var gradient = [Double](repeating: 0, count: x.count)
        var value = objective(x, &gradient)
        var history: [(s: [Double], y: [Double], rho: Double)] = []
        var iteration = 0
        while iteration < maxIterations {
            if maxAbs(gradient) <= gradientTolerance { return Result(x: x, value: value, iterations: iteration, converged: true) }
            // Two-loop recursion: direction = −H∇f.
            var direction = gradient.map { -$0 }
            var alphas = [Double](repeating: 0, count: history.count)
            for m in history.indices.reversed() {
                alphas[m] = history[m].rho * dot(history[m].s, direction)
                axpy(-alphas[m], history[m].y, &direction)
            }
            if let last = history.last {
                let scale = dot(last.s, last.y) / dot(last.y, last.y)
                for j in direction.indices { direction[j] *= scale }
            } else {
                let scale = 1 / max(maxAbs(gradient), 1)  // a first step of modest length
                for j in direction.indices { direction[j] *= scale }
            }
            for m in history.indices {
                let beta = history[m].rho * dot(history[m].y, direction)
                axpy(alphas[m] - beta, history[m].s, &direction)
            }
            var slope = dot(gradient, direction)
            if slope >= 0 {  // not a descent direction (numerical trouble): restart from steepest descent
                history.removeAll()
                direction = gradient.map { -$0 / max(maxAbs(gradient), 1) }
                slope = dot(gradient, direction)
            }
            // Weak Wolfe line search by bisection / doubling.
            let c1 = 1e-4, c2 = 0.9
            var low = 0.0, high = Double.infinity, step = 1.0
            var trial = x, trialGradient = gradient, trialValue = value
            var accepted = false
            for _ in 0 ..< 60 {
                for j in x.indices { trial[j] = x[j] + step * direction[j] }
                trialValue = objective(trial, &trialGradient)
                if !(trialValue <= value + c1 * step * slope) {
                    high = step
                } else if dot(trialGradient, direction) < c2 * slope {
                    low = step
                } else {
                    accepted = true
                    break
                }
                step = high.isFinite ? (low + high) / 2 : 2 * low
            }
            guard accepted || trialValue < value else {
                return Result(x: x, value: value, iterations: iteration, converged: false)
            }
            let s = zip(trial, x).map { $0 - $1 }
            let y = zip(trialGradient, gradient).map { $0 - $1 }
            let sy = dot(s, y)
            if sy > 1e-12 * dot(y, y) {  // keep the estimate positive definite
                history.append((s, y, 1 / sy))
                if history.count > memory { history.removeFirst() }
            }
            let decrease = (value - trialValue) / max(abs(value), abs(trialValue), 1)
            x = trial
            gradient = trialGradient
            value = trialValue
            iteration += 1
            if decrease <= relativeDecreaseTolerance {
                return Result(x: x, value: value, iterations: iteration, converged: true)  // scipy: REL_REDUCTION_OF_F
            }
        }
        return Result(x: x, value: value, iterations: iteration, converged: maxAbs(gradient) <= gradientTolerance)
    }
}

@inline(__always) func dot(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for j in a.indices { sum += a[j] * b[j] }
    return sum
}

@inline(__always) func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    for j in x.indices { y[j] += alpha * x[j] }
}

@inline(__always) func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }
