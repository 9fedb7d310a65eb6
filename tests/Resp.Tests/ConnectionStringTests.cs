namespace HrmsAttendance.Resp.Tests;

public sealed class ConnectionStringTests
{
    [Fact]
    public void The_hosting_form_host_port_password()
    {
        var options = RedisConnectionOptions.Parse("127.0.0.1:6380,password=abc=def");
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(6380, options.Port);
        Assert.Equal("abc=def", options.Password);
        Assert.Null(options.User);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.AsyncTimeout);
        Assert.True(options.AbortOnConnectFail);
        Assert.Equal("127.0.0.1:6380,password=*****", options.ToString());
    }

    [Fact]
    public void All_supported_options_case_insensitive()
    {
        var options = RedisConnectionOptions.Parse(
            " redis.local , User=svc, PASSWORD=pw, connectTimeout=250, syncTimeout=100, asyncTimeout=300, abortConnect=False, defaultDatabase=2, ssl=false,");
        Assert.Equal("redis.local", options.Host);
        Assert.Equal(6379, options.Port);
        Assert.Equal("svc", options.User);
        Assert.Equal("pw", options.Password);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(300), options.AsyncTimeout);
        Assert.False(options.AbortOnConnectFail);
        Assert.Equal(2, options.DefaultDatabase);
    }

    [Theory]
    [InlineData("[::1]:7000", "::1", 7000)]
    [InlineData("[::1]", "::1", 6379)]
    [InlineData("::1", "::1", 6379)]
    [InlineData("localhost:1", "localhost", 1)]
    public void Endpoints(string text, string host, int port)
    {
        var options = RedisConnectionOptions.Parse(text);
        Assert.Equal(host, options.Host);
        Assert.Equal(port, options.Port);
    }

    [Theory]
    [InlineData("password=x", typeof(ArgumentException), "no endpoint")]
    [InlineData("a:1,b:2", typeof(NotSupportedException), "Only one endpoint")]
    [InlineData("a:1,ssl=true", typeof(NotSupportedException), "ssl=true")]
    [InlineData("a:1,tiebreaker=x", typeof(ArgumentException), "Unsupported connection string option 'tiebreaker'")]
    [InlineData("a:99999", typeof(ArgumentException), "Invalid port")]
    [InlineData("a:1,connectTimeout=soon", typeof(ArgumentException), "connectTimeout must be a positive number")]
    [InlineData("a:1,abortConnect=maybe", typeof(ArgumentException), "abortConnect must be true or false")]
    public void Invalid_strings_are_refused_with_a_reason(string text, Type exception, string message)
    {
        var error = Assert.Throws(exception, () => RedisConnectionOptions.Parse(text));
        Assert.Contains(message, error.Message);
    }
}
