using Microsoft.Extensions.Caching.Memory;

namespace HrmsAttendance.Identity.SignIn;

/// <summary>
/// The lockout of names that are no user (an unknown organisation code or user name, or an inactive user), counted in
/// memory with the same rules as a real user's: without it, a name that never locks after five wrong passwords would
/// be a name that does not exist. Per instance and bounded (when full, compaction drops the least recently used counts);
/// real users' locks are in the database.
/// </summary>
public sealed class UnknownUserLockout(LockoutSettings settings, TimeProvider time) : IDisposable
{
    private sealed class Entry
    {
        public int Failures;
        public DateTimeOffset? LockedUntil;
    }

    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly Lock _gate = new();

    public UnknownUserLockout(LockoutSettings settings) : this(settings, TimeProvider.System) { }

    /// <summary>The end of the lock of this name, when one holds.</summary>
    public DateTimeOffset? LockedUntil(string tenantCode, string userName)
    {
        lock (_gate)
            return _entries.TryGetValue(Key(tenantCode, userName), out Entry? entry) && entry!.LockedUntil > time.GetUtcNow()
                ? entry.LockedUntil : null;
    }

    /// <summary>Counts a refused attempt on a name that is no user; returns the end of the lock it reaches, if it does.</summary>
    public DateTimeOffset? RecordFailure(string tenantCode, string userName)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var key = Key(tenantCode, userName);
            if (!_entries.TryGetValue(key, out Entry? entry) || entry is null)
                entry = new Entry();
            if (entry.LockedUntil > now) return entry.LockedUntil;
            entry.LockedUntil = null;
            if (++entry.Failures >= settings.MaxFailedAttempts)
                (entry.Failures, entry.LockedUntil) = (0, now + settings.Duration);
            // A real user's count is kept until a right password; a day is enough to look the same to a guesser.
            _entries.Set(key, entry, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromDays(1) + settings.Duration });
            return entry.LockedUntil;
        }
    }

    private static string Key(string tenantCode, string userName) => tenantCode + "\n" + userName;

    public void Dispose() => _entries.Dispose();
}
