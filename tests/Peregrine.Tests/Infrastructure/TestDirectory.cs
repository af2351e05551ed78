namespace Peregrine.Tests.Infrastructure;

/// <summary>A folder under /tmp that is removed with the test (reachable by the postgres user, unlike some checkouts).</summary>
public sealed class TestDirectory : IDisposable
{
    public TestDirectory(string prefix = "peregrine-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(Path);
        // An in-process cloud-mode Api sets this process's umask to 077; the postgres user must still reach the
        // AppHost's state folder, and chmod (unlike mkdir) ignores the umask.
        File.SetUnixFileMode(Path, (UnixFileMode)0b111_101_101);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
