using Peregrine;
using Peregrine.Configuration;
using Peregrine.Demo;
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

var builder = PeregrineHost.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPeregrineCore();
builder.AddDemo();
builder.Services.AddPeregrineWeb();

var app = builder.Build();

if (!app.PassesStartupChecks())
{
    return 1;
}

await app.PrepareDemoAsync();

app.UseWebSecurity();
// One error shape: an unhandled failure or a bare status code becomes problem+json (a page for a browser).
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAppPathBase();
app.UseRouting();
app.UseAuthorization();
app.UseAntiforgery();
// After routing, so each endpoint's rate-limit policy is seen.
app.UseRateLimiter();
app.UsePagePostGuard();

app.MapDefaultEndpoints();
app.MapPeregrineApi();
app.MapDemo();
app.MapPeregrineWeb();

app.Run();
return 0;
