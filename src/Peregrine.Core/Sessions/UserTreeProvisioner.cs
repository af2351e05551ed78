using Microsoft.Extensions.Logging;
using Peregrine.CloudSeams;
using Peregrine.Storage;

namespace Peregrine.Sessions;

/// <summary>
/// First-login provisioning of a user's app tree: <c>config/</c>, <c>data/</c>, the bootstrap
/// <c>config/resume_keywords.yaml</c> and a keyed <c>staging.db</c>. Idempotent, and safe when many first requests
/// of one user arrive together (one lock stripe per user id; other users are not held up). A tree whose staging.db
/// exists is provisioned (the DB is created last, by an atomic rename), so a request costs one file check and this
/// process keeps nothing per user: an erased tree (gone, DB and all) comes back through the full path.
/// </summary>
public sealed class UserTreeProvisioner(UserDatabases databases, IAccountProvisioning accounts, IAccountErasures erasures, ILogger<UserTreeProvisioner> logger)
{
    public const string BootstrapKeywordsFile = "resume_keywords.yaml";
    public const string BootstrapKeywords = "skills: []\ndomains: []\nkeywords: []\n";

    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    public async ValueTask EnsureProvisionedAsync(UserContext user, CancellationToken cancellationToken)
    {
        if (File.Exists(user.Database.Path))
        {
            return;
        }

        var stripe = StripeOf(user.UserId);
        await stripe.WaitAsync(cancellationToken);
        try
        {
            // Creating a tree is where an erased account would come back: the source of truth decides, not a cache
            // (an erasure in another process removes the tree, so every process comes through here afterwards).
            if (user.SessionIssuedAt is { } issuedAt && await erasures.RefusesSessionAsync(user.UserId, issuedAt, refresh: true, cancellationToken))
            {
                throw new UserDataRemovedException(user.UserId);
            }

            databases.Reinstate(user.Database);
            Provision(user);
        }
        finally
        {
            stripe.Release();
        }

        await accounts.EnsureAccountAsync(user.UserId, cancellationToken);
    }

    /// <summary>
    /// Holds back provisioning of <paramref name="userId"/>'s trees until disposed: an erasure takes it, so that no
    /// request recreates the tree while it is being removed.
    /// </summary>
    public async Task<IDisposable> HoldAsync(string userId, CancellationToken cancellationToken)
    {
        var stripe = StripeOf(userId);
        await stripe.WaitAsync(cancellationToken);
        return new ReleaseOnce(() => stripe.Release());
    }

    private SemaphoreSlim StripeOf(string userId) => _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(userId) % (uint)_stripes.Length)];

    private void Provision(UserContext user)
    {
        // Level by level: CreateDirectory applies the mode only to the last folder, not to missing parents.
        CreateOwnerOnlyDirectory(Path.GetDirectoryName(user.AppDirectory)!);
        CreateOwnerOnlyDirectory(user.AppDirectory);
        CreateOwnerOnlyDirectory(user.ConfigDirectory);
        CreateOwnerOnlyDirectory(user.DataDirectory);
        WriteIfAbsent(Path.Combine(user.ConfigDirectory, BootstrapKeywordsFile), BootstrapKeywords);

        var creatingDatabase = !File.Exists(user.Database.Path);
        try
        {
            databases.Open(user.Database).Dispose();
        }
        catch (Exception e) when (!creatingDatabase && DatabasePreparation.IsFailure(e))
        {
            // A broken existing DB must not lock its owner out: sign-in, settings, restore (which replaces the file) and
            // erasure do not need it, and the routes that do answer a problem that says to restore a backup.
            logger.LogWarning("The DB of {UserId} cannot be opened ({Kind}); its data routes report it", user.UserId, e.GetType().Name);
        }
        if (creatingDatabase && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(user.Database.Path, OwnerOnlyFile);
        }
    }

    private static void CreateOwnerOnlyDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, OwnerOnlyDirectory);
    }

    /// <summary>CreateNew makes "never overwrite" atomic: a file that appeared meanwhile is left exactly as it is.</summary>
    private static void WriteIfAbsent(string path, string content)
    {
        if (File.Exists(path))
        {
            return;
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        try
        {
            using var writer = new StreamWriter(path, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options);
            writer.Write(content);
        }
        catch (IOException) when (File.Exists(path))
        {
        }
    }
}
