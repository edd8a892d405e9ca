import Foundation

/// Writes a whole folder so that readers see either the old complete folder or the new complete one, never a mix:
/// the files go into a temporary sibling, which then replaces the destination by renames (same file system).
/// A crash mid-write leaves only a `.tmp-…` sibling behind, which the next write removes.
public enum AtomicFolder {
    /// Calls `fill` with an empty temporary folder, then moves it to `destination` (replacing what was there).
    public static func write(to destination: URL, _ fill: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let parent = destination.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let name = destination.lastPathComponent
        removeLeftovers(of: name, in: parent)
        let temporary = parent.appendingPathComponent(".\(name).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try fm.createDirectory(at: temporary, withIntermediateDirectories: false)
        do {
            try fill(temporary)
        } catch {
            try? fm.removeItem(at: temporary)
            throw error
        }
        // rename(2) cannot replace a non-empty folder: move the old one aside first, then drop it.
        let old = parent.appendingPathComponent(".\(name).old-\(ProcessInfo.processInfo.processIdentifier)")
        let hadOld = fm.fileExists(atPath: destination.path)
        if hadOld { try fm.moveItem(at: destination, to: old) }
        do {
            try fm.moveItem(at: temporary, to: destination)
        } catch {
            if hadOld { try? fm.moveItem(at: old, to: destination) }
            throw error
        }
        if hadOld { try? fm.removeItem(at: old) }
    }

    /// Removes temporary or old siblings of `name` left by an interrupted write.
    static func removeLeftovers(of name: String, in parent: URL) {
        let fm = FileManager.default
        guard let items = try? fm.contentsOfDirectory(atPath: parent.path) else { return }
        for item in items where item.hasPrefix(".\(name).tmp-") || item.hasPrefix(".\(name).old-") {
            try? fm.removeItem(at: parent.appendingPathComponent(item))
        }
    }
}
