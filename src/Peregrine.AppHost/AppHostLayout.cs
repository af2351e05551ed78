namespace Peregrine.AppHost;

/// <summary>Where the AppHost keeps run-mode state, and the repository that publish writes deployment files into.</summary>
/// <param name="StateDirectory">
/// Everything run mode owns (Postgres data, per-user trees, the demo DB, Caddy config, state and logs) lives here, so
/// a developer can inspect it or delete it to start over. Tests point it at a temp folder.
/// </param>
public sealed record AppHostLayout(string StateDirectory, string RepositoryRoot)
{
    /// <summary>In a deployment, where every app sees the per-user trees (the host folder is bind-mounted there).</summary>
    public const string CloudDataRootInContainer = "/data/cloud";

    public static AppHostLayout For(IDistributedApplicationBuilder builder) => new(
        Path.GetFullPath(builder.Configuration["State:Root"] ?? Path.Combine(builder.AppHostDirectory, ".state")),
        Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..")));
}
