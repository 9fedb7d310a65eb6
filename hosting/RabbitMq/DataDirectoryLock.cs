namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// Held while a node runs on a data directory: two nodes on one database would corrupt it. An exclusive lock
/// on <c>node.lock</c> (.NET takes flock(2) for FileShare.None), so it also guards against other processes, and
/// the kernel drops it when the holder dies. It is not inherited by the node (close-on-exec).
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _lockFile;

    private DataDirectoryLock(FileStream lockFile) => _lockFile = lockFile;

    public static DataDirectoryLock Acquire(RabbitMqDataDirectory directory)
    {
        directory.CreateRoot();
        var path = directory.LockFile;
        try
        {
            return new DataDirectoryLock(new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }));
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"'{directory.Root}' is in use by another running RabbitMqServer (in this process or another one): " +
                $"'{path}' is locked. Stop that one first or choose another DataDirectory.", e);
        }
    }

    public void Dispose() => _lockFile.Dispose();
}
