using HrmsAttendance.Web.Components.Pages;

namespace HrmsAttendance.Web.Tests;

/// <summary>Chinese is the default culture: the resources must resolve (an unresolved key would show as the key).</summary>
public sealed class ChineseTests() : WebTestContext("zh-CN")
{
    [Fact]
    public void The_month_reads_in_Chinese()
    {
        SignIn("employee");
        var page = Render<MyMonth>();
        page.WaitForAssertion(() => Assert.Contains("本月暂无考勤结果或打卡记录", page.Find("[data-testid=empty-state]").TextContent));

        Assert.Equal("我的月度考勤", page.Find("h1").TextContent);
    }
}
