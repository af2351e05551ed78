using System.Security.Cryptography;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment.Containers;

/// <summary>
/// What an operator has on a fresh host: the repository's deployable files (compose files, <c>deploy/</c>, the
/// Dockerfile and the sources it builds) in a folder of their own, an <c>.env</c> beside them made from
/// <c>.env.example</c>, and an empty data root made by root, as <c>mkdir</c> on a new host makes it. A copy, not the
/// checkout, so the runbook's commands find their <c>.env</c> where they look (beside the compose file) without
/// touching a developer's own.
/// </summary>
public sealed class DeploymentDirectory : IDisposable
{
    /// <summary>Top-level entries of the repository an operator's checkout needs to build and run the stacks.</summary>
    private static readonly string[] Deployable =
    [
        "compose.cloud.yml", "compose.demo.yml", ".env.example", "deploy", "Dockerfile", ".dockerignore",
        "Directory.Build.props", "Directory.Packages.props", ".editorconfig", "global.json", "src", "eng",
    ];

    private static readonly HashSet<string> BuildOutput = new(StringComparer.Ordinal) { "bin", "obj", ".state" };

    private readonly TestDirectory _directory = new("peregrine-deploy");

    private DeploymentDirectory()
    {
        Path = _directory.Combine("checkout");
        DataRoot = _directory.Combine("menagerie-data");
    }

    /// <summary>The operator's working directory: the runbook's commands run here.</summary>
    public string Path { get; }

    /// <summary>CLOUD_DATA_ROOT, the host folder of the per-user trees.</summary>
    public string DataRoot { get; }

    public string ServerSecret { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public string PlatformDbPassword { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The API's open-file limit for this engine: the model's 65,536, or less where the engine cannot grant it (an engine
    /// without CAP_SYS_RESOURCE, as on these machines, cannot raise a container's hard limit above its own).
    /// </summary>
    public string OpenFileLimit { get; } = Math.Min(65_536, HardOpenFileLimit()).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The scheduled backup's restic repository, as the backup container sees it.</summary>
    public const string BackupRepositoryInContainer = "/data/cloud/.backup-repository";

    public int BastionPort { get; } = LoopbackPort.Free();

    public int DemoBastionPort { get; } = LoopbackPort.Free();

    public Uri Bastion => new($"http://127.0.0.1:{BastionPort}");

    public Uri DemoBastion => new($"http://127.0.0.1:{DemoBastionPort}");

    public static DeploymentDirectory Create()
    {
        var deployment = new DeploymentDirectory();
        Directory.CreateDirectory(deployment.Path);
        foreach (var entry in Deployable)
        {
            Copy(Repository.Path(entry), System.IO.Path.Combine(deployment.Path, entry));
        }

        Directory.CreateDirectory(deployment.DataRoot);
        File.SetUnixFileMode(deployment.DataRoot, (UnixFileMode)0b111_101_101);
        deployment.LeaveTreeOfAnInstallOutsideContainers();
        File.WriteAllText(System.IO.Path.Combine(deployment.Path, ".env"), deployment.EnvFrom(File.ReadAllText(Repository.Path(".env.example"))));
        return deployment;
    }

    /// <summary>
    /// <c>.env.example</c> with the operator's values: every line to fill in is filled (a test fails on one it does not
    /// know), defaults this host must change are set, the rest stays as shipped.
    /// </summary>
    public string EnvFrom(string example)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CF_SERVER_SECRET"] = ServerSecret,
            ["DIRECTUS_JWT_SECRET"] = TestTokens.JwtSecret,
            ["PLATFORM_DB_PASSWORD"] = PlatformDbPassword,
            ["CLOUD_DATA_ROOT"] = DataRoot,
            ["BASTION_HOST_PORT"] = BastionPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DEMO_BASTION_HOST_PORT"] = DemoBastionPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Dockerd started here inherits this process's hard limit: a container may not be given more.
            ["API_OPEN_FILE_LIMIT"] = OpenFileLimit,
            // The scheduled backup, opted in: a repository inside the data root (an operator's is off the host).
            ["COMPOSE_PROFILES"] = "platform-db,backup",
            ["RESTIC_REPOSITORY"] = BackupRepositoryInContainer,
            ["RESTIC_PASSWORD"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        };
        var lines = new List<string>();
        foreach (var line in example.Split('\n'))
        {
            var assignment = line.StartsWith("# ", StringComparison.Ordinal) && line.Contains('=', StringComparison.Ordinal) ? line[2..] : line;
            var name = assignment.Split('=', 2)[0];
            if (assignment.Contains('=', StringComparison.Ordinal) && values.Remove(name, out var value))
            {
                lines.Add($"{name}={value}");
            }
            else
            {
                Assert.False(
                    !line.StartsWith('#') && line.EndsWith('=') && line.Length > 1,
                    $".env.example asks for {line.TrimEnd('=')}, which the deploy layer does not set");
                lines.Add(line);
            }
        }

        Assert.True(values.Count == 0, $".env.example no longer lists {string.Join(", ", values.Keys)}");
        return string.Join('\n', lines);
    }

    private static long HardOpenFileLimit()
    {
        var line = File.ReadLines("/proc/self/limits").Single(line => line.StartsWith("Max open files", StringComparison.Ordinal));
        var hard = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return hard == "unlimited" ? long.MaxValue : long.Parse(hard, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A user whose tree an earlier install (no containers, another user id, default modes) left in the data root.</summary>
    public string LegacyUser { get; } = Guid.NewGuid().ToString();

    public void Dispose() => _directory.Dispose();

    private void LeaveTreeOfAnInstallOutsideContainers()
    {
        var config = System.IO.Path.Combine(DataRoot, LegacyUser, "peregrine", "config");
        Directory.CreateDirectory(config);
        File.WriteAllText(System.IO.Path.Combine(config, "user.yaml"), "name: Earlier Install\n");
        foreach (var path in new[] { System.IO.Path.Combine(DataRoot, LegacyUser), System.IO.Path.Combine(DataRoot, LegacyUser, "peregrine"), config })
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }

        File.SetUnixFileMode(System.IO.Path.Combine(config, "user.yaml"), (UnixFileMode)0b110_100_100);
        // The first user of a desktop install, as upstream's installer would have left it.
        var chown = CommandLine.RunAsync("chown", ["-R", "1000:1000", System.IO.Path.Combine(DataRoot, LegacyUser)], "/", TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        Assert.True(chown.ExitCode == 0, chown.ToString());
    }

    private static void Copy(string source, string destination)
    {
        if (File.Exists(source))
        {
            File.Copy(source, destination);
            return;
        }

        // The source's modes too (File.Copy keeps a file's): the image build's cache keys include them, so this copy
        // and an operator's checkout of the same sources share the cached build.
        Directory.CreateDirectory(destination);
        File.SetUnixFileMode(destination, File.GetUnixFileMode(source));
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            if (!BuildOutput.Contains(entry.Name))
            {
                Copy(entry.FullName, System.IO.Path.Combine(destination, entry.Name));
            }
        }
    }
}
