namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>The one stylesheet, inlined in every page (the machine may have no network: no CDN, no fonts).</summary>
internal static class DashboardStyles
{
    public const string Css = """
:root {
  --bg: #f4f6fa; --panel: #ffffff; --ink: #1c2230; --muted: #667085; --line: #e3e7ee; --zebra: #f8f9fc;
  --accent: #2563eb; --head: #151a26; --head-ink: #cfd6e4;
  --ok: #15803d; --ok-bg: #dcfce7; --warn: #b45309; --warn-bg: #fef3c7;
  --err: #dc2626; --err-bg: #fee2e2; --idle: #475467; --idle-bg: #eef1f5; --info: #1d4ed8; --info-bg: #dbeafe;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html, body { margin: 0; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: var(--mono); font-size: 12.5px; }

header.top { background: var(--head); color: var(--head-ink); }
header.top .bar { display: flex; align-items: center; gap: 28px; padding: 0 24px; height: 52px; }
header.top .brand { color: #fff; font-weight: 650; font-size: 15px; letter-spacing: .2px; display: flex; align-items: center; gap: 10px; }
header.top .brand .logo { width: 22px; height: 22px; border-radius: 6px; background: linear-gradient(135deg, #3b82f6, #8b5cf6); display: inline-block; }
header.top .brand small { color: #8c96aa; font-weight: 500; }
header.top nav.main { display: flex; gap: 4px; height: 100%; }
header.top nav.main a { color: var(--head-ink); display: flex; align-items: center; padding: 0 12px; border-bottom: 3px solid transparent; }
header.top nav.main a:hover { color: #fff; text-decoration: none; background: rgba(255,255,255,.04); }
header.top nav.main a.active { color: #fff; border-bottom-color: #3b82f6; }
header.top .live { margin-left: auto; font-size: 12px; color: #8c96aa; display: flex; align-items: center; gap: 6px; }
header.top .live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #22c55e; box-shadow: 0 0 0 3px rgba(34,197,94,.18); }
body.offline header.top .live::before { background: #ef4444; box-shadow: 0 0 0 3px rgba(239,68,68,.2); }
nav.sub { background: #1d2332; padding: 7px 24px; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; font-size: 12.5px; }
nav.sub .label { color: #8c96aa; margin-right: 4px; }
nav.sub a { color: var(--head-ink); padding: 2px 10px; border-radius: 999px; background: rgba(255,255,255,.06); }
nav.sub a:hover { background: rgba(255,255,255,.14); text-decoration: none; color: #fff; }
nav.sub a.active { background: #3b82f6; color: #fff; }

main { padding: 24px; max-width: 1500px; margin: 0 auto; }
h1 { font-size: 21px; font-weight: 650; margin: 0 0 4px; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.subtitle { color: var(--muted); margin: 0 0 18px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; box-shadow: 0 1px 2px rgba(16,24,40,.04); }
.panel + .panel, .panel + h2, .stats + .panel { margin-top: 18px; }
h2 { font-size: 15px; margin: 22px 0 10px; }
.empty { padding: 36px; text-align: center; color: var(--muted); }
.empty b { display: block; color: var(--ink); font-size: 15px; margin-bottom: 4px; }

.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin-bottom: 18px; }
.stat { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; }
.stat .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .5px; }
.stat .v { font-size: 22px; font-weight: 650; margin-top: 2px; }
.stat .v.ok { color: var(--ok); } .stat .v.err { color: var(--err); } .stat .v.warn { color: var(--warn); }

table.grid { width: 100%; border-collapse: collapse; }
table.grid th { text-align: left; font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .4px; padding: 10px 14px; border-bottom: 1px solid var(--line); background: #fbfcfe; white-space: nowrap; }
table.grid th:first-child { border-top-left-radius: 10px; } table.grid th:last-child { border-top-right-radius: 10px; }
table.grid td { padding: 9px 14px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.grid tbody tr:nth-child(even) td { background: var(--zebra); }
table.grid tbody tr:last-child td { border-bottom: none; }
table.grid tr[data-href] { cursor: pointer; }
table.grid tbody tr[data-href]:hover td { background: #eef4ff; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
.name { font-weight: 600; }
.muted { color: var(--muted); }

.badge { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; font-weight: 600; padding: 2px 9px; border-radius: 999px; white-space: nowrap; }
.badge::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
.badge.plain::before { display: none; }
.badge.ok { color: var(--ok); background: var(--ok-bg); }
.badge.warn { color: var(--warn); background: var(--warn-bg); }
.badge.err { color: var(--err); background: var(--err-bg); }
.badge.idle { color: var(--idle); background: var(--idle-bg); }
.badge.info { color: var(--info); background: var(--info-bg); }
.type { font-family: var(--mono); font-size: 12px; color: var(--idle); background: var(--idle-bg); padding: 1px 7px; border-radius: 5px; }
.svc { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; font-weight: 600; padding: 1px 8px 1px 6px; border-radius: 6px; background: #f1f4f9; white-space: nowrap; margin: 1px 4px 1px 0; }
.svc i { width: 9px; height: 9px; border-radius: 3px; display: inline-block; }
.endpoints a, .endpoints span { display: block; font-family: var(--mono); font-size: 12.5px; }

form.filters { display: flex; gap: 12px; align-items: end; flex-wrap: wrap; padding: 14px 16px; }
form.filters label { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: var(--muted); font-weight: 600; }
input, select, button { font: inherit; padding: 6px 10px; border: 1px solid #cfd5df; border-radius: 7px; background: #fff; color: var(--ink); }
input[type=search] { min-width: 280px; }
input[type=number] { width: 110px; }
button { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; cursor: pointer; }
button.secondary { background: #fff; color: var(--ink); border-color: #cfd5df; }
form.filters a { padding: 7px 4px; }
.toolbar { display: flex; gap: 10px; align-items: center; margin-bottom: 12px; flex-wrap: wrap; }

.durbar { display: flex; align-items: center; gap: 8px; min-width: 150px; }
.durbar .track { flex: 1; height: 6px; background: #edf0f5; border-radius: 3px; overflow: hidden; min-width: 60px; }
.durbar .fill { height: 100%; background: #93b4f5; border-radius: 3px; }
.durbar .fill.err { background: #f19999; }
.durbar span { font-variant-numeric: tabular-nums; min-width: 64px; text-align: right; }

/* Console logs */
.console { background: #10141c; color: #d5dbe6; border-radius: 10px; font-family: var(--mono); font-size: 12.5px; line-height: 1.55; height: calc(100vh - 270px); min-height: 320px; overflow: auto; padding: 10px 0; }
.console .line { display: grid; grid-template-columns: 96px 34px 1fr; gap: 10px; padding: 0 14px; white-space: pre-wrap; word-break: break-word; }
.console .line:hover { background: rgba(255,255,255,.04); }
.console .ts { color: #6b7690; }
.console .stream { color: #6b7690; font-size: 11px; padding-top: 1px; }
.console .line.stderr { background: rgba(239,68,68,.10); box-shadow: inset 3px 0 0 #ef4444; }
.console .line.stderr .text { color: #ffb4b4; }
.console .line.stderr .stream { color: #ff8a8a; font-weight: 700; }
.console mark { background: #fde047; color: #111; border-radius: 2px; }
.console .empty { color: #8a93a6; }

/* Structured logs */
.level { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .3px; }
tr.log-err td { background: #fff5f5 !important; }
tr.log-warn td { background: #fffbeb !important; }
td.msg { font-family: var(--mono); font-size: 12.5px; white-space: pre-wrap; word-break: break-word; }

/* Trace waterfall */
.trace-meta { display: flex; gap: 22px; flex-wrap: wrap; color: var(--muted); margin: 6px 0 16px; }
.trace-meta b { color: var(--ink); font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 14px; }
.waterfall { overflow: hidden; }
.wf-head, .wf-row > summary { display: grid; grid-template-columns: minmax(300px, 34%) 1fr; align-items: center; }
.wf-head { border-bottom: 1px solid var(--line); background: #fbfcfe; font-size: 12px; color: var(--muted); font-weight: 600; height: 34px; border-radius: 10px 10px 0 0; }
.wf-head > div:first-child { padding: 0 14px; text-transform: uppercase; letter-spacing: .4px; }
.wf-ticks { position: relative; height: 100%; margin-right: 76px; }
.wf-ticks span { position: absolute; top: 9px; transform: translateX(-50%); font-variant-numeric: tabular-nums; white-space: nowrap; }
.wf-ticks span:first-child { transform: none; }
.wf-ticks span:last-child { transform: translateX(-100%); }
.wf-row { border-bottom: 1px solid #eef1f5; }
.wf-row:nth-child(odd) > summary { background: var(--zebra); }
.wf-row > summary { list-style: none; cursor: pointer; min-height: 32px; }
.wf-row > summary::-webkit-details-marker { display: none; }
.wf-row > summary:hover { background: #eef4ff !important; }
.wf-row[open] > summary { background: #e8f0ff !important; }
.wf-label { display: flex; align-items: center; gap: 7px; padding: 5px 14px; min-width: 0; }
.wf-label .caret { color: #98a2b3; font-size: 10px; width: 10px; transition: transform .1s; }
.wf-row[open] .wf-label .caret { transform: rotate(90deg); }
.wf-label .dot { width: 10px; height: 10px; border-radius: 3px; flex: none; }
.wf-label .span-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-weight: 500; }
.wf-label .span-svc { color: var(--muted); font-size: 12px; white-space: nowrap; }
.wf-label .err-mark { color: #fff; background: var(--err); border-radius: 50%; width: 16px; height: 16px; font-size: 11px; font-weight: 800; display: inline-flex; align-items: center; justify-content: center; flex: none; }
.wf-row.error .span-name { color: var(--err); }
.wf-lane { position: relative; height: 32px; margin-right: 76px;
  background-image: linear-gradient(to right, #e3e7ee 1px, transparent 1px);
  background-size: 25% 100%; }
.wf-bar { position: absolute; top: 9px; height: 14px; border-radius: 3px; min-width: 2px; opacity: .92; }
.wf-row.error .wf-bar { background: var(--err) !important; background-image: repeating-linear-gradient(45deg, rgba(255,255,255,.18) 0 4px, transparent 4px 8px) !important; }
.wf-dur { position: absolute; top: 7px; font-size: 12px; color: var(--muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
.wf-dur.inside { color: #fff; font-weight: 600; top: 8px; font-size: 11px; }
.wf-details { padding: 12px 18px 16px; background: #fbfcfe; border-top: 1px solid var(--line); display: grid; grid-template-columns: minmax(260px, 1fr) 2fr; gap: 18px; }
.kv { width: 100%; border-collapse: collapse; font-size: 13px; }
.kv th { text-align: left; color: var(--muted); font-weight: 500; padding: 4px 12px 4px 0; white-space: nowrap; vertical-align: top; width: 1%; }
.kv td { padding: 4px 0; font-family: var(--mono); font-size: 12.5px; word-break: break-all; white-space: pre-wrap; }
.kv tr + tr th, .kv tr + tr td { border-top: 1px dashed #e6e9ef; }
.wf-details h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .4px; color: var(--muted); margin: 0 0 6px; }
.wf-details h3:not(:first-child) { margin-top: 14px; }
footer { color: var(--muted); font-size: 12px; padding: 6px 24px 24px; max-width: 1500px; margin: 0 auto; display: flex; gap: 18px; flex-wrap: wrap; }
""";
}
