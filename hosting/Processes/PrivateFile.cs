namespace HrmsAttendance.Hosting.Processes;

/// <summary>Files only their owner may read: generated passwords, server configs holding them, Erlang cookies.</summary>
internal static class PrivateFile
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyBits = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Writes a file only its owner can read (mode 600 unless <paramref name="mode"/> says otherwise, e.g. 400),
    /// replacing any previous one by an atomic rename, so it is never readable by others nor seen half-written.
    /// </summary>
    public static void Write(string path, Action<Stream> write, UnixFileMode mode = OwnerReadWrite)
    {
        if ((mode & ~OwnerOnlyBits) != 0)
        {
            throw new ArgumentException($"A private file's mode must grant nothing to group or others, not {mode}.", nameof(mode));
        }
        var temporary = path + ".tmp";
        File.Delete(temporary); // a leftover could carry a wider mode
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = mode, // open(2) hands back a writable descriptor even for mode 400
        };
        using (var stream = new FileStream(temporary, options))
        {
            write(stream);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary><see cref="Write(string, Action{Stream}, UnixFileMode)"/> with UTF-8 text (no byte-order mark).</summary>
    public static void WriteText(string path, string text, UnixFileMode mode = OwnerReadWrite) =>
        Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)), mode);
}
