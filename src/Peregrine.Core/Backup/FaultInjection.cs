using System.Diagnostics;

namespace Peregrine.Backup;

/// <summary>
/// Crash-safety tests kill the real process at a named point (environment variable <c>PEREGRINE_FAULT</c>) to prove
/// that what is on disk at that instant is safe. Unset in every deployment, where this is a no-op.
/// </summary>
public static class FaultInjection
{
    public const string Variable = "PEREGRINE_FAULT";
    public const string RestoreBeforeSwap = "restore-before-swap";
    public const string ErasureAfterCommit = "erasure-after-commit";

    public static void Reach(string point)
    {
        if (string.Equals(Environment.GetEnvironmentVariable(Variable), point, StringComparison.Ordinal))
        {
            Process.GetCurrentProcess().Kill(); // SIGKILL: no finally blocks, no cleanup, like a power cut
        }
    }
}
