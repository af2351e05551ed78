using Peregrine;
using Peregrine.Api;
using Peregrine.Api.Erasure;
using Peregrine.Web;

if (EraseUserCommand.IsInvoked(args))
{
    return await EraseUserCommand.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

if (!app.PassesStartupChecks())
{
    return 1;
}

app.MapDefaultEndpoints();
app.MapPeregrineGroup().MapApplicationEndpoints();
app.MapPeregrineWeb();

app.Run();
return 0;
