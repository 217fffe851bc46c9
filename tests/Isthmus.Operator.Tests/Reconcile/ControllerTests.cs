using Isthmus.Operator.Runtime.Cache;
using Isthmus.Operator.Runtime.Queue;
using Isthmus.Operator.Runtime.Reconcile;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Isthmus.Operator.Tests.Reconcile;

public sealed class ControllerTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly ObjectKey Key = new("ns", "t");

    private sealed class ScriptedReconciler(Func<int, Result> script) : IReconciler
    {
        public int Calls { get; private set; }

        public string Name => "test";

        public Task<Result> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken) => Task.FromResult(script(++Calls));
    }

    private sealed class Metrics : IControllerMetrics
    {
        public List<ReconcileOutcome> Outcomes { get; } = [];

        public void RecordReconcile(string controller, ReconcileOutcome outcome, TimeSpan duration) => Outcomes.Add(outcome);
    }

    [Fact]
    public async Task An_exception_requeues_the_key_with_growing_backoff_and_success_resets_it()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<ObjectKey>(time, new ExponentialBackoff<ObjectKey>(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
        var reconciler = new ScriptedReconciler(n => n <= 2 ? throw new HttpRequestException("API unavailable") : Result.Done);
        var metrics = new Metrics();
        var controller = new Controller(reconciler, queue, NullLogger.Instance, metrics, time: time);

        Assert.Equal(ReconcileOutcome.Error, await controller.ProcessAsync(Key, Ct));
        Assert.Equal(1, queue.DelayedCount);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Count);
        await Drain(queue);

        Assert.Equal(ReconcileOutcome.Error, await controller.ProcessAsync(Key, Ct));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, queue.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Count);
        await Drain(queue);

        Assert.Equal(ReconcileOutcome.Success, await controller.ProcessAsync(Key, Ct));
        Assert.Equal(0, queue.Failures(Key));
        Assert.Equal(0, queue.DelayedCount);
        Assert.Equal([ReconcileOutcome.Error, ReconcileOutcome.Error, ReconcileOutcome.Success], metrics.Outcomes);
    }

    [Fact]
    public async Task A_terminal_error_is_counted_but_not_retried()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<ObjectKey>(time);
        var controller = new Controller(new ScriptedReconciler(_ => throw new TerminalException("bad spec")), queue, NullLogger.Instance, time: time);

        Assert.Equal(ReconcileOutcome.TerminalError, await controller.ProcessAsync(Key, Ct));
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, queue.DelayedCount);
    }

    [Fact]
    public async Task Requeue_after_revisits_the_key_at_the_given_time()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<ObjectKey>(time);
        var controller = new Controller(new ScriptedReconciler(_ => Result.RequeueAfter(TimeSpan.FromMinutes(30))), queue, NullLogger.Instance, time: time);

        Assert.Equal(ReconcileOutcome.RequeueAfter, await controller.ProcessAsync(Key, Ct));
        time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, queue.Count);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task Run_processes_queued_keys_and_stops_on_cancellation()
    {
        using var queue = new WorkQueue<ObjectKey>();
        var reconciler = new ScriptedReconciler(_ => Result.Done);
        var controller = new Controller(reconciler, queue, NullLogger.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        queue.Add(Key);
        queue.Add(new ObjectKey("ns", "u"));

        var run = controller.RunAsync(2, stop.Token);
        for (var i = 0; i < 200 && reconciler.Calls < 2; i++)
        {
            await Task.Delay(10, Ct);
        }
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(2, reconciler.Calls);
    }

    [Fact]
    public void Requeue_after_needs_a_positive_delay()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Result.RequeueAfter(TimeSpan.Zero));
    }

    private static async Task Drain(WorkQueue<ObjectKey> queue)
    {
        var (_, key) = await queue.GetAsync(Ct);
        queue.Done(key);
    }
}
