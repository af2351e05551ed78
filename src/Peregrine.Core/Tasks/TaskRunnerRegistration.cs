using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Peregrine.Discovery;
using Peregrine.Matching;
using Peregrine.Scraping;

namespace Peregrine.Tasks;

public static class TaskRunnerRegistration
{
    /// <summary>
    /// The task runner of this process: a hosted service that executes queued tasks, and the <see cref="ITaskWakeup"/>
    /// and <see cref="ITaskCancellation"/> the endpoints call (replacing the do-nothing defaults).
    /// </summary>
    public static IServiceCollection AddTaskRunner(this IServiceCollection services)
    {
        services.AddOptions<TaskRunnerOptions>().BindConfiguration(TaskRunnerOptions.SectionName);
        services.TryAddSingleton<ITaskOwnerDirectory, DataRootTaskOwners>();
        services.AddSingleton<TaskRunner>();
        services.Replace(ServiceDescriptor.Singleton<ITaskWakeup>(sp => sp.GetRequiredService<TaskRunner>()));
        services.Replace(ServiceDescriptor.Singleton<ITaskCancellation>(sp => sp.GetRequiredService<TaskRunner>()));
        services.AddHostedService(sp => sp.GetRequiredService<TaskRunner>());
        return services;
    }

    /// <summary>The task types of job intake, search and scoring: <c>scrape_url</c>, <c>enrich_descriptions</c>, <c>discovery</c>, <c>score_jobs</c>.</summary>
    public static IServiceCollection AddJobTasks(this IServiceCollection services) =>
        services.AddScraping().AddDiscovery().AddBackgroundTaskHandler<ScoreJobsHandler>();
}
