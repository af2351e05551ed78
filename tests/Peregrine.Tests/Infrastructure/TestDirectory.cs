namespace Peregrine.Tests.Infrastructure;

/// <summary>A folder under /tmp that is removed with the test (reachable by the postgres user, unlike some checkouts).</summary>
public sealed class TestDirectory : IDisposable
{
    public TestDirectory(string prefix = "peregrine-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(Path);
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
