using HrmsAttendance.Messaging;

namespace HrmsAttendance.DailyResults.Changes;

/// <summary>
/// Wakes this process's watchers when its consumer stored a change, so a change reaches them at once instead of at
/// their next poll. Changes another replica stored are found by the poll (<see cref="ChangeWatcher.PollInterval"/>).
/// </summary>
public sealed class ChangeFeedSignal : WakeSignal;
