namespace HrmsAttendance.Hosting.Postgres;

internal static class PrivateFile
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Writes a file only its owner can read (mode 600), replacing any previous one by an atomic rename,
    /// so it is never readable by others nor seen half-written.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary); // a leftover could carry a wider mode
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = OwnerReadWrite,
        };
        using (var stream = new FileStream(temporary, options))
        {
            write(stream);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
