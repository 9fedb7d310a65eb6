using System.Text;

namespace HrmsAttendance.Resp.Tests;

[Collection(RedisCollection.Name)]
public sealed class RespCommandTests(RedisFixture redis)
{
    private RedisConnection Db => redis.Connection;

    [Fact]
    public async Task Ping_answers_with_a_round_trip_time()
    {
        var latency = await Db.PingAsync();
        Assert.InRange(latency, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.True(Db.IsConnected);
    }

    [Fact]
    public async Task Set_get_delete()
    {
        var key = RedisFixture.UniqueKey("sgd");
        Assert.True((await Db.GetAsync(key)).IsNull);

        Assert.True(await Db.SetAsync(key, "välue 1"));
        Assert.Equal("välue 1", (string?)await Db.GetAsync(key));
        Assert.True(await Db.SetAsync(key, 42));
        Assert.Equal(42L, (long)await Db.GetAsync(key));

        Assert.True(await Db.DeleteAsync(key));
        Assert.False(await Db.DeleteAsync(key));
        Assert.True((await Db.GetAsync(key)).IsNull);
    }

    [Fact]
    public async Task Set_not_exists_and_exists_conditions()
    {
        var key = RedisFixture.UniqueKey("nx");
        Assert.False(await Db.SetAsync(key, "x", when: When.Exists)); // XX on a missing key
        Assert.True((await Db.GetAsync(key)).IsNull);

        Assert.True(await Db.SetAsync(key, "first", when: When.NotExists));
        Assert.False(await Db.SetAsync(key, "second", when: When.NotExists));
        Assert.Equal("first", (string?)await Db.GetAsync(key));

        Assert.True(await Db.SetAsync(key, "third", when: When.Exists));
        Assert.Equal("third", (string?)await Db.GetAsync(key));
    }

    [Fact]
    public async Task Set_with_expiry_sets_a_millisecond_ttl_and_the_key_expires()
    {
        var key = RedisFixture.UniqueKey("px");
        Assert.True(await Db.SetAsync(key, "lease", TimeSpan.FromMilliseconds(400), When.NotExists));
        var ttl = (long)await Db.ExecuteAsync("PTTL", key);
        Assert.InRange(ttl, 1, 400);
        // Taken while the lease lives: NX refuses.
        Assert.False(await Db.SetAsync(key, "other", TimeSpan.FromSeconds(10), When.NotExists));

        await Poll.UntilAsync(async () => (await Db.GetAsync(key)).IsNull, TimeSpan.FromSeconds(3), "key expiry");
        Assert.True(await Db.SetAsync(key, "next", TimeSpan.FromSeconds(10), When.NotExists));
        Assert.InRange((long)await Db.ExecuteAsync("PTTL", key), 9_000, 10_000);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Db.SetAsync(key, "x", TimeSpan.Zero));
    }

    [Fact]
    public async Task Values_are_binary_safe()
    {
        var key = RedisFixture.UniqueKey("bin\r\n$5\r\n*1");
        var value = new byte[256 + 16];
        for (var i = 0; i < 256; i++)
        {
            value[i] = (byte)i;
        }
        Encoding.ASCII.GetBytes("\r\n$-1\r\n*2\r\n+OK\r\n").CopyTo(value, 256);

        Assert.True(await Db.SetAsync(key, value));
        var read = (byte[]?)await Db.GetAsync(key);
        Assert.Equal(value, read);
        Assert.Equal(value.Length, (long)await Db.ExecuteAsync("STRLEN", key));

        Assert.True(await Db.SetAsync(key, Array.Empty<byte>()));
        var empty = await Db.GetAsync(key);
        Assert.False(empty.IsNull);
        Assert.Equal(0, empty.Length);
    }

    [Fact]
    public async Task Large_values_cross_buffer_boundaries()
    {
        var key = RedisFixture.UniqueKey("large");
        var value = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(value);
        await Db.SetAsync(key, value);
        Assert.Equal(value, (byte[]?)await Db.GetAsync(key));
        await Db.DeleteAsync(key);
    }

    [Fact]
    public async Task Server_errors_are_thrown_with_their_text_and_the_connection_stays_usable()
    {
        var key = RedisFixture.UniqueKey("wrongtype");
        await Db.ExecuteAsync("LPUSH", key, "x");
        var error = await Assert.ThrowsAsync<RedisServerException>(() => Db.GetAsync(key));
        Assert.StartsWith("WRONGTYPE Operation against a key holding the wrong kind of value", error.Message);
        Assert.Equal("WRONGTYPE", error.ErrorCode);

        var unknown = await Assert.ThrowsAsync<RedisServerException>(() => Db.ExecuteAsync("NOSUCHCOMMAND", "a"));
        Assert.StartsWith("ERR unknown command", unknown.Message);
        await Db.PingAsync();
    }

    [Fact]
    public async Task Execute_returns_integers_arrays_and_nil()
    {
        var key = RedisFixture.UniqueKey("list");
        Assert.Equal(3L, (long)await Db.ExecuteAsync("RPUSH", key, "a", "b", "c"));
        var range = await Db.ExecuteAsync("LRANGE", key, 0, -1);
        Assert.Equal(RedisResultType.Array, range.Type);
        Assert.Equal(["a", "b", "c"], ((RedisResult[])range!).Select(r => (string?)r));
        Assert.True((await Db.ExecuteAsync("LINDEX", key, 10)).IsNull);

        var time = await Db.ExecuteAsync("TIME");
        Assert.Equal(2, time.Length);
        Assert.True((long)time[0] > 1_600_000_000);
    }

    [Fact]
    public async Task EvalSha_runs_a_loaded_script_and_falls_back_to_eval_after_script_flush()
    {
        const string script = "return {KEYS[1], ARGV[1], redis.call('INCRBY', KEYS[1], ARGV[1])}";
        var key = RedisFixture.UniqueKey("eval");
        var sha = await Db.ScriptLoadAsync(script);
        Assert.Matches("^[0-9a-f]{40}$", sha);

        var first = await Db.EvalShaAsync(sha, [key], [5]);
        Assert.Equal(key, (string?)first[0]);
        Assert.Equal("5", (string?)first[1]);
        Assert.Equal(5L, (long)first[2]);

        await Db.ExecuteAsync("SCRIPT", "FLUSH");
        Assert.Equal(0L, (long)(await Db.ExecuteAsync("SCRIPT", "EXISTS", sha))[0]);

        var second = await Db.EvalShaAsync(sha, [key], [2]); // NOSCRIPT -> EVAL with the remembered source
        Assert.Equal(7L, (long)second[2]);
        Assert.Equal(1L, (long)(await Db.ExecuteAsync("SCRIPT", "EXISTS", sha))[0]); // EVAL cached it again
        Assert.Equal(9L, (long)(await Db.EvalShaAsync(sha, [key], [2]))[2]);
    }

    [Fact]
    public async Task EvalSha_of_a_script_this_connection_never_loaded_reports_noscript()
    {
        var error = await Assert.ThrowsAsync<RedisServerException>(
            () => Db.EvalShaAsync(new string('0', 40), [], []));
        Assert.Equal("NOSCRIPT", error.ErrorCode);
    }

    [Fact]
    public async Task Script_errors_are_server_exceptions()
    {
        var sha = await Db.ScriptLoadAsync("return redis.error_reply('LIMITER broken on purpose')");
        var error = await Assert.ThrowsAsync<RedisServerException>(() => Db.EvalShaAsync(sha, [], []));
        Assert.Contains("LIMITER broken on purpose", error.Message);
    }

    [Fact]
    public async Task Concurrent_callers_each_get_their_own_reply()
    {
        var counter = RedisFixture.UniqueKey("incr");
        var sha = await Db.ScriptLoadAsync("return redis.call('INCR', KEYS[1])");

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
            (long)await Db.EvalShaAsync(sha, [counter], []))));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), results.Order());
        Assert.Equal(200L, (long)await Db.GetAsync(counter));

        // Distinct keys and values in parallel: a reply handed to the wrong caller would show as a mismatch.
        var prefix = RedisFixture.UniqueKey("pair");
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var key = $"{prefix}:{i}";
            var value = new string('v', i) + i;
            await Db.SetAsync(key, value);
            Assert.Equal(value, (string?)await Db.GetAsync(key));
            Assert.True(await Db.DeleteAsync(key));
        })));
    }
}
