using System.Net.Http.Json;
using Peregrine.Sessions;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Sessions;

/// <summary>Self-hosted mode: no session at all, one local folder, a plain DB through the same engine.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class LocalModeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task UserGroupsWorkWithoutATokenAgainstTheLocalDatabase()
    {
        await using var factory = new PeregrineApiFactory();
        var stagingDb = factory.Scratch.Combine("local", "staging.db");
        factory.Configure("CLOUD_MODE", "false").Configure("STAGING_DB", stagingDb);
        using var client = factory.CreateAnonymousClient();

        var session = await client.GetFromJsonAsync<SessionResponse>("/peregrine/api/session", PeregrineApiFactory.Json).WaitAsync(Timeout);

        Assert.Equal(new SessionResponse("local", "peregrine", "local", IsCloud: false), session);
        Assert.True(File.Exists(stagingDb));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(stagingDb)!, "config", UserTreeProvisioner.BootstrapKeywordsFile)));
        Assert.Empty(factory.UserTrees());
    }
}
