namespace Peregrine.Tests.Deployment;

/// <summary>The checkout the tests run from, and the build output of its AppHost.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Path(string relativePath) => System.IO.Path.Combine(Root, relativePath);

    /// <summary>The AppHost built in the same configuration as these tests (the test project references it).</summary>
    public static string AppHostAssembly => System.IO.Path.Combine(
        Root, "src", "Peregrine.AppHost", "bin", Configuration, "net10.0", "Peregrine.AppHost.dll");

    private static string Configuration =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar)).Parent!.Name;

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Peregrine.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Peregrine.sln above {AppContext.BaseDirectory}");
    }
}
