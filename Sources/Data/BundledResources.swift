import Foundation

/// Files a target ships in its resource bundle (its `Resources` folder in the repository, copied by SwiftPM into
/// `SentimentKit_<target>.resources`, beside the executable). Found without touching `Bundle.module`, which stops the
/// process when the bundle is missing: a missing bundle becomes a missing file the caller reports.
public enum BundledResources {
    /// `Resources/<subpath>` of `target`'s bundle: the first that exists beside the executable, in the app's
    /// resources or in the bundle itself; else where it would be beside the executable (so errors name a path).
    public static func url(_ subpath: String, target: String) -> URL {
        #if os(macOS)
        let name = "SentimentKit_\(target).bundle"
        #else
        let name = "SentimentKit_\(target).resources"
        #endif
        let candidates = [Bundle.main.bundleURL, Bundle.main.resourceURL, Bundle.main.executableURL?.deletingLastPathComponent()]
            .compactMap { $0?.appendingPathComponent(name, isDirectory: true) }
        for url in candidates {
            let flat = url.appendingPathComponent("Resources/" + subpath)
            if FileManager.default.fileExists(atPath: flat.path) { return flat }
            if let bundle = Bundle(url: url), let inside = bundle.resourceURL?.appendingPathComponent("Resources/" + subpath),
               FileManager.default.fileExists(atPath: inside.path) {
                return inside
            }
        }
        return candidates[0].appendingPathComponent("Resources/" + subpath)
    }
}
