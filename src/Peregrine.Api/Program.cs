using Peregrine;
using Peregrine.Api;
using Peregrine.Api.Erasure;
using Peregrine.Api.Operations;
using Peregrine.Api.Privacy;
using Peregrine.Api.Shards;
using Peregrine.Configuration;
using Peregrine.Resume;
using Peregrine.Security;
using Peregrine.Sessions;
using Peregrine.Web;

// The résumé parser's helper process (ResumeParsing starts it): it reads one file and exits, before any host is built.
if (ResumeWorker.IsInvoked(args))
{
    return await ResumeWorker.RunAsync(args);
}

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync();
}

if (OperatorCommands.IsInvoked(args))
{
    return await OperatorCommands.RunAsync(args);
}

var builder = PeregrineHost.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

if (!app.PassesStartupChecks() || !app.PassesShardChecks())
{
    return 1;
}

// With shards: a request for another shard's user goes there before anything here reads its data. Before load
// shedding, so the shard that does the work is the one that admits it: a forward holding a permit here while the
// owner's forwards hold permits there would deadlock two busy shards.
app.UseShardRouting();
app.UseLoadShedding();
app.UseWebSecurity();
// One error shape: an unhandled failure or a bare status code becomes problem+json (a page for a browser).
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAppPathBase();
app.UseRouting();
app.UseAuthorization();
app.UseAntiforgery();
app.UsePagePostGuard();

app.MapDefaultEndpoints();
app.MapPeregrineApi();
app.MapPrivacy();
app.MapAccount();
app.MapPeregrineWeb();

app.Run();
return 0;
