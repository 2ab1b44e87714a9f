public import Foundation

/// A small tmpfs mounted for a test that needs a full disk; nil where mounting is not allowed
/// (not root, or no mount in a container), and the test then has nothing to check.
public final class SmallDisk: @unchecked Sendable {
    public let path: String
    private var filler: FileHandle?

    public init?(at path: String, kilobytes: Int = 2048) {
        self.path = path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard
            let mount = try? Command.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path]),
            mount.status == 0
        else { return nil }
    }

    /// Copies the named files of `folder` onto the disk.
    public func copy(_ names: [String], from folder: String) throws {
        for name in names { try FileManager.default.copyItem(atPath: folder + "/" + name, toPath: path + "/" + name) }
    }

    /// Fills every free byte with one file, until the file system says ENOSPC.
    public func fill() {
        let file = path + "/filler"
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: file) else { return }
        let chunk = Data(count: 4096)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        for size in [1024, 256, 64, 16, 1] {
            while (try? handle.write(contentsOf: Data(count: size))) != nil {}
        }
        filler = handle
    }

    /// Frees the space the filler took.
    public func release() {
        try? filler?.close()
        filler = nil
        try? FileManager.default.removeItem(atPath: path + "/filler")
    }

    /// Unmounts the disk; what was on it is gone.
    public func unmount() {
        release()
        _ = try? Command.run("/bin/umount", ["-l", path])
    }
}
