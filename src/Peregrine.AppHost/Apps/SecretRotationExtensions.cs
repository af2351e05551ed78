using Peregrine.AppHost.Publishing;

namespace Peregrine.AppHost.Apps;

/// <summary>Gives an app the variables of a secret rotation.</summary>
public sealed record SecretRotation(Func<IResourceBuilder<ProjectResource>, IResourceBuilder<ProjectResource>> Apply);

/// <summary>
/// The rotation variables (docs: "Rotating secrets"), empty except while a rotation runs. A deployment always passes
/// them, so a rotation is a change to <c>.env</c> and an <c>up -d</c>, with no second compose file; a developer run
/// never rotates and passes none.
/// </summary>
public static class SecretRotationExtensions
{
    public static SecretRotation AddSecretRotation(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsPublishMode)
        {
            return new SecretRotation(app => app);
        }

        var previousServerSecrets = builder.AddParameter("cf-server-secret-previous", secret: true)
            .WithDescription("During a CF_SERVER_SECRET rotation only: the earlier secret(s), comma-separated; DBs still at one are rekeyed to the current secret. Empty otherwise.")
            .WithComposeVariable(required: false);
        var previousJwtSecret = builder.AddParameter("directus-jwt-secret-previous", secret: true)
            .WithDescription("During a Directus secret rotation only: the earlier DIRECTUS_JWT_SECRET, accepted until DIRECTUS_JWT_SECRET_PREVIOUS_UNTIL. Empty otherwise.")
            .WithComposeVariable(required: false);
        var previousJwtSecretUntil = builder.AddParameter("directus-jwt-secret-previous-until")
            .WithDescription("End of that overlap window, an absolute UTC time (e.g. 2026-12-03T12:00:00Z); required with DIRECTUS_JWT_SECRET_PREVIOUS.")
            .WithComposeVariable(required: false);
        return new SecretRotation(app => app
            .WithEnvironment("CF_SERVER_SECRET_PREVIOUS", previousServerSecrets)
            .WithEnvironment("DIRECTUS_JWT_SECRET_PREVIOUS", previousJwtSecret)
            .WithEnvironment("DIRECTUS_JWT_SECRET_PREVIOUS_UNTIL", previousJwtSecretUntil));
    }
}
