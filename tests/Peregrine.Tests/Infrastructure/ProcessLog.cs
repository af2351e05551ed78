namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// The last lines a server process wrote (bounded), so a test that fails on a 503 can say what the server logged
/// instead of only that it answered one. Reads the console formatter's shape: "warn: Category[id]" then the indented
/// message lines.
/// </summary>
internal sealed class ProcessLog
{
    private const int Kept = 2000;
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Enqueue(line);
            if (_lines.Count > Kept)
            {
                _lines.Dequeue();
            }
        }
    }

    /// <summary>The last <paramref name="count"/> lines, oldest first: what a process that died at start said last.</summary>
    public IReadOnlyList<string> Tail(int count)
    {
        lock (_gate)
        {
            return [.. _lines.Skip(Math.Max(0, _lines.Count - count))];
        }
    }

    /// <summary>Each warning, error or critical entry as one line: its level, category and message.</summary>
    public IReadOnlyList<string> Problems()
    {
        string[] lines;
        lock (_gate)
        {
            lines = [.. _lines];
        }

        var problems = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("warn: ", StringComparison.Ordinal) && !lines[i].StartsWith("fail: ", StringComparison.Ordinal)
                && !lines[i].StartsWith("crit: ", StringComparison.Ordinal))
            {
                continue;
            }

            var entry = lines[i];
            while (i + 1 < lines.Length && lines[i + 1].StartsWith("      ", StringComparison.Ordinal))
            {
                entry += " | " + lines[++i].Trim();
            }

            problems.Add(entry);
        }

        return problems;
    }
}
