namespace HrmsAttendance.Tokens;

/// <summary>
/// The Development signing key: 32 random bytes kept base64 in a file readable by its owner only (mode 600), created
/// on first use and reused afterwards. The AppHost keeps it in its data directory (deleted by <c>--fresh</c>), hands it
/// to the gateway and signs its <c>token</c> command's tokens with it. Never used outside Development.
/// </summary>
public static class DevelopmentSigningKey
{
    public static byte[] LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        if (TryLoad(path) is { } existing) return existing;

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = AccessTokenClaimRules.RandomKey();
        // Written beside the target and moved into place, so a concurrent reader never sees a half-written file and
        // two concurrent creators agree on the first one moved in.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
                writer.Write(Convert.ToBase64String(key));
            try
            {
                File.Move(temporary, path, overwrite: false);
                return key;
            }
            catch (IOException) when (File.Exists(path))
            {
                return TryLoad(path) ?? throw new InvalidOperationException($"The signing key file {path} is unreadable.");
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static byte[]? TryLoad(string path)
    {
        if (!File.Exists(path)) return null;
        var text = File.ReadAllText(path).Trim();
        byte[] key;
        try { key = Convert.FromBase64String(text); }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The signing key file {path} is not base64; delete it to create a new key.");
        }
        return key.Length >= AccessTokenSettings.MinimumKeyBytes
            ? key
            : throw new InvalidOperationException($"The signing key file {path} holds {key.Length} bytes, fewer than {AccessTokenSettings.MinimumKeyBytes}; delete it to create a new key.");
    }
}
