using Grpc.Core;

namespace HrmsAttendance.StableErrors.Tests;

/// <summary>The table of stable error codes the services and the gateway share: mapping, fallback and what it refuses.</summary>
public class StableErrorTableTests
{
    private const string Invalid = "TEST_INVALID_ARGUMENT";
    private const string Missing = "TEST_NOT_FOUND";
    private const string Down = "TEST_UNAVAILABLE";

    private static StableErrorTable WithHttp() => new()
    {
        { Invalid, StatusCode.InvalidArgument, 400 },
        { Missing, StatusCode.NotFound, 404 },
        { Down, StatusCode.Unavailable, 503 },
    };

    private static StableErrorTable GrpcOnly() => new()
    {
        { Invalid, StatusCode.InvalidArgument },
        { Down, StatusCode.Unavailable },
    };

    [Fact]
    public void Known_codes_map_to_their_statuses()
    {
        var table = WithHttp();

        Assert.Equal(StatusCode.InvalidArgument, table.GrpcStatusOf(Invalid));
        Assert.Equal(400, table.HttpStatusOf(Invalid));
        Assert.Equal(StatusCode.NotFound, table.GrpcStatusOf(Missing));
        Assert.Equal(404, table.HttpStatusOf(Missing));
        Assert.Equal(StatusCode.Unavailable, table.GrpcStatusOf(Down));
        Assert.Equal(503, table.HttpStatusOf(Down));
        Assert.True(table.HasHttp);
    }

    [Theory]
    [InlineData("TEST_SOMETHING_ELSE")]
    [InlineData("test_invalid_argument")] // codes are compared exactly
    [InlineData("")]
    public void Unknown_codes_map_to_the_fallback(string code)
    {
        var table = WithHttp();

        Assert.False(table.Contains(code));
        Assert.Equal(StatusCode.Internal, table.GrpcStatusOf(code));
        Assert.Equal(500, table.HttpStatusOf(code));
        Assert.Equal(StatusCode.Internal, StableErrorTable.FallbackGrpcStatus);
        Assert.Equal(500, StableErrorTable.FallbackHttpStatus);
    }

    [Fact]
    public void Codes_are_listed_in_the_order_they_were_written()
    {
        var table = WithHttp();

        Assert.Equal([Invalid, Missing, Down], table.Codes);
        Assert.True(table.Contains(Missing));
        Assert.Equal(
            [new StableError(Invalid, StatusCode.InvalidArgument, 400), new StableError(Missing, StatusCode.NotFound, 404),
             new StableError(Down, StatusCode.Unavailable, 503)],
            table);
    }

    [Fact]
    public void A_code_given_twice_is_refused_when_the_table_is_built()
    {
        var e = Assert.Throws<ArgumentException>(() => new StableErrorTable
        {
            { Invalid, StatusCode.InvalidArgument, 400 },
            { Invalid, StatusCode.NotFound, 404 },
        });
        Assert.Contains(Invalid, e.Message);

        Assert.Throws<ArgumentException>(() => new StableErrorTable
        {
            { Invalid, StatusCode.InvalidArgument },
            { Invalid, StatusCode.InvalidArgument },
        });
    }

    [Fact]
    public void A_grpc_only_table_maps_grpc_statuses_and_has_no_http_side()
    {
        var table = GrpcOnly();

        Assert.False(table.HasHttp);
        Assert.Equal(StatusCode.InvalidArgument, table.GrpcStatusOf(Invalid));
        Assert.Equal(StatusCode.Unavailable, table.GrpcStatusOf(Down));
        Assert.Equal(StatusCode.Internal, table.GrpcStatusOf(Missing));
        Assert.Throws<InvalidOperationException>(() => table.HttpStatusOf(Invalid));
        Assert.Throws<InvalidOperationException>(() => table.HttpStatusOf(Missing));
    }

    [Fact]
    public void A_table_that_mixes_codes_with_and_without_an_http_status_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new StableErrorTable
        {
            { Invalid, StatusCode.InvalidArgument, 400 },
            { Down, StatusCode.Unavailable },
        });
        Assert.Throws<ArgumentException>(() => new StableErrorTable
        {
            { Down, StatusCode.Unavailable },
            { Invalid, StatusCode.InvalidArgument, 400 },
        });
    }

    [Theory]
    [InlineData(200)]
    [InlineData(399)]
    [InlineData(600)]
    public void An_http_status_that_is_not_an_error_is_refused(int http) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new StableErrorTable { { Invalid, StatusCode.InvalidArgument, http } });

    [Fact]
    public void An_empty_code_or_the_OK_status_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new StableErrorTable { { " ", StatusCode.InvalidArgument, 400 } });
        Assert.Throws<ArgumentException>(() => new StableErrorTable { { Invalid, StatusCode.OK, 400 } });
    }

    [Fact]
    public void An_empty_table_maps_every_code_to_the_fallback()
    {
        var table = new StableErrorTable();

        Assert.Empty(table.Codes);
        Assert.Equal(StatusCode.Internal, table.GrpcStatusOf(Invalid));
        Assert.Equal(500, table.HttpStatusOf(Invalid));
    }

    [Fact]
    public void A_stable_error_exception_carries_its_code_and_detail()
    {
        var cause = new TimeoutException();
        var e = new StableErrorException(Down, "the database is unreachable; retry", cause);

        Assert.Equal(Down, e.Code);
        Assert.Equal("the database is unreachable; retry", e.Detail);
        Assert.Equal("TEST_UNAVAILABLE: the database is unreachable; retry", e.Message);
        Assert.Same(cause, e.InnerException);
    }
}
