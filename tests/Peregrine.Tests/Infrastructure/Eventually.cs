namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// The one bounded wait of the test suite: polls a condition until it holds and fails the test with a
/// <see cref="TimeoutException"/> when it does not within the bound. Conditions that make requests are awaited, never
/// blocked on (blocking starves an in-process server).
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls until <paramref name="probe"/> gives a value, and returns it.</summary>
    public static async Task<T> UntilAsync<T>(Func<T?> probe, TimeSpan timeout)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (probe() is { } value)
            {
                // An async lambda bound here would be "done" the moment it returns its task: a test that waits for nothing.
                return value is Task ? throw new InvalidOperationException("An async probe needs the Func<Task<…>> overloads.") : value;
            }

            Fail(deadline, timeout, "condition not met");
            await Task.Delay(Interval);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout) =>
        UntilAsync(() => condition() ? string.Empty : null, timeout);

    // No optional parameter here: with one, an async lambda would bind to the value-returning overload above
    // (T = Task<bool>, never null) and return at once without waiting.
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout) => UntilAsync(condition, timeout, Interval);

    /// <summary>A probe that starts a process (docker inspect) gives a longer <paramref name="interval"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan interval)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Fail(deadline, timeout, "condition not met");
            await Task.Delay(interval);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until its value is <paramref name="done"/>, and returns that value; the last value is in the failure.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            Fail(deadline, timeout, $"last seen: {value}");
            await Task.Delay(Interval);
        }
    }

    private static void Fail(DateTime deadline, TimeSpan timeout, string what)
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"not within {timeout}: {what}");
        }
    }
}
