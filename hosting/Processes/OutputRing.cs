namespace HrmsAttendance.Hosting.Processes;

/// <summary>Keeps the last <c>capacity</c> lines a process wrote, for error messages. Thread-safe.</summary>
internal sealed class OutputRing(int capacity)
{
    private readonly Queue<string> _lines = new(capacity);

    public void Add(string line)
    {
        lock (_lines)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }
            _lines.Enqueue(line);
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }
}
