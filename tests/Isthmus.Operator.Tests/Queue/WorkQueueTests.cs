using Isthmus.Operator.Runtime.Queue;
using Microsoft.Extensions.Time.Testing;

namespace Isthmus.Operator.Tests.Queue;

public sealed class WorkQueueTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Adding_a_queued_key_again_keeps_one_entry()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider());
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");

        Assert.Equal(2, queue.Count);
        Assert.Equal("a", (await queue.GetAsync(Ct)).Key);
        Assert.Equal("b", (await queue.GetAsync(Ct)).Key);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task A_key_being_processed_is_not_handed_out_again_until_done()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider());
        queue.Add("a");
        var first = await queue.GetAsync(Ct);

        queue.Add("a");
        Assert.Equal(0, queue.Count);

        var second = queue.GetAsync(Ct).AsTask();
        await Task.Delay(50, Ct);
        Assert.False(second.IsCompleted);

        queue.Done(first.Key);
        Assert.Equal("a", (await second.WaitAsync(TimeSpan.FromSeconds(5), Ct)).Key);
    }

    [Fact]
    public async Task A_key_added_twice_while_processing_is_queued_once_after_done()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider());
        queue.Add("a");
        var item = await queue.GetAsync(Ct);
        queue.Add("a");
        queue.Add("a");
        queue.Done(item.Key);

        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void Add_after_waits_for_the_clock()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<string>(time);
        queue.AddAfter("a", TimeSpan.FromSeconds(30));

        Assert.Equal(0, queue.Count);
        Assert.Equal(1, queue.DelayedCount);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, queue.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Count);
        Assert.Equal(0, queue.DelayedCount);
    }

    [Fact]
    public void The_earlier_of_two_delayed_adds_wins()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<string>(time);
        queue.AddAfter("a", TimeSpan.FromMinutes(10));
        queue.AddAfter("a", TimeSpan.FromSeconds(5));
        queue.AddAfter("a", TimeSpan.FromMinutes(1));

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, queue.Count);
        Assert.Equal(0, queue.DelayedCount);
    }

    [Fact]
    public void Rate_limited_adds_back_off_exponentially_per_key_and_forget_resets()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<string>(time, new ExponentialBackoff<string>(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1)));

        Assert.Equal(TimeSpan.FromMilliseconds(10), queue.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), queue.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(40), queue.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), queue.AddRateLimited("b"));
        for (var i = 0; i < 10; i++)
        {
            queue.AddRateLimited("a");
        }
        Assert.Equal(TimeSpan.FromSeconds(1), queue.AddRateLimited("a"));

        queue.Forget("a");
        Assert.Equal(0, queue.Failures("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), queue.AddRateLimited("a"));
    }

    [Fact]
    public async Task Shut_down_drains_then_returns_no_key()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider());
        queue.Add("a");
        queue.ShutDown();
        queue.Add("b");

        var first = await queue.GetAsync(Ct);
        Assert.True(first.Ok);
        Assert.Equal("a", first.Key);
        Assert.False((await queue.GetAsync(Ct)).Ok);
    }

    [Fact]
    public async Task Two_workers_never_hold_the_same_key()
    {
        using var queue = new WorkQueue<int>();
        var inFlight = new int[5];
        var violations = 0;
        var processed = 0;
        using var stop = new CancellationTokenSource();
        async Task Worker()
        {
            while (true)
            {
                var (ok, key) = await queue.GetAsync(CancellationToken.None);
                if (!ok)
                {
                    return;
                }
                if (Interlocked.Increment(ref inFlight[key]) != 1)
                {
                    Interlocked.Increment(ref violations);
                }
                await Task.Yield();
                Interlocked.Decrement(ref inFlight[key]);
                Interlocked.Increment(ref processed);
                queue.Done(key);
            }
        }
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(Worker, Ct)).ToArray();
        for (var i = 0; i < 2000; i++)
        {
            queue.Add(i % 5);
            if (i % 100 == 0)
            {
                await Task.Delay(1, Ct);
            }
        }
        await Task.Delay(100, Ct);
        queue.ShutDown();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(0, violations);
        Assert.True(processed >= 5);
    }
}
