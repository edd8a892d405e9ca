import Foundation
import NIOCore

/// The files the server serves as they are: the web page (`index.html`, `app.js`, `style.css`) and the OpenAPI
/// document (`openapi.json`), kept as real files in Sources/Server/Resources and read once from the target's
/// resource bundle (`Bundle.module`). SwiftPM puts that bundle beside the executable (in the build folder, where
/// `make demo` / `make test` run the binary); a binary copied elsewhere needs it copied along.
/// `SentimentServer.run()` (and `sentiment serve`, before anything else) calls `bundled()`, so a missing bundle is
/// a clear error at startup, never a crash on the first request.
public struct ServerResources: Sendable {
    /// One file, ready to send.
    struct File: Sendable {
        let contentType: String
        let body: ByteBuffer
    }

    /// Route → file.
    let files: [String: File]

    /// The files, by route, with their content types. The folder in the bundle is `Resources` (`.copy`).
    static let routes: [(route: String, name: String, contentType: String)] = [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "style.css", "text/css; charset=utf-8"),
        ("/openapi.json", "openapi.json", "application/json; charset=utf-8"),
    ]

    /// The resource bundle's name, as SwiftPM names it (`PACKAGE_TARGET`, `.resources` on Linux, `.bundle` on Apple).
    #if canImport(Darwin)
    public static let bundleName = "SentimentKit_SentimentServer.bundle"
    #else
    public static let bundleName = "SentimentKit_SentimentServer.resources"
    #endif

    /// The server's own files from its resource bundle, read once per process.
    public static func bundled() throws -> ServerResources { try cached.get() }

    private static let cached = Result { () throws(ServerResourceError) -> ServerResources in
        // Where `Bundle.module` looks first. It falls back to the absolute build path and otherwise stops the process
        // (fatalError), so look before touching it: without the bundle beside the executable, a typed error instead.
        let beside = Bundle.main.bundleURL.appendingPathComponent(bundleName, isDirectory: true)
        if isDirectory(beside) { return try load(from: Bundle.module, at: beside.path) }
        // Elsewhere than beside the executable: an app's Resources folder, or beside the bundle holding this code
        // (on macOS, `swift test` runs a test bundle from the build folder under Xcode's `xctest` tool).
        let elsewhere = [Bundle.main.resourceURL, Bundle(for: Marker.self).bundleURL.deletingLastPathComponent()]
            .compactMap { $0?.appendingPathComponent(bundleName, isDirectory: true) }
        if let found = elsewhere.first(where: isDirectory) { return try load(bundleAt: found) }
        throw ServerResourceError.bundleMissing(beside.path)
    }

    private final class Marker {}

    /// The files of the bundle at `url` (a `…resources` / `…bundle` folder).
    public static func load(bundleAt url: URL) throws(ServerResourceError) -> ServerResources {
        guard isDirectory(url), let bundle = Bundle(url: url) else { throw ServerResourceError.bundleMissing(url.path) }
        return try load(from: bundle, at: url.path)
    }

    static func load(from bundle: Bundle, at path: String) throws(ServerResourceError) -> ServerResources {
        var files: [String: File] = [:]
        for (route, name, contentType) in routes {
            let stem = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
            guard let url = bundle.url(forResource: stem, withExtension: ext, subdirectory: "Resources"),
                  let data = try? Data(contentsOf: url) else {
                throw ServerResourceError.fileMissing(name, bundle: path)
            }
            files[route] = File(contentType: contentType, body: ByteBuffer(bytes: data))
        }
        return ServerResources(files: files)
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

/// The server's resource bundle, or a file in it, is not where it must be.
public enum ServerResourceError: Error, Equatable, CustomStringConvertible {
    case bundleMissing(String)
    case fileMissing(String, bundle: String)

    public var description: String {
        switch self {
        case .bundleMissing(let path):
            return "the server's resource bundle (the web page and openapi.json) is missing: expected \(path); "
                + "SwiftPM builds it beside the executable (`swift build --show-bin-path`): copy it along with the binary"
        case .fileMissing(let name, let bundle):
            return "the server's resource bundle \(bundle) lacks Resources/\(name): rebuild (`swift build`)"
        }
    }
}
