// The dashboard's one stylesheet, embedded in the binary and served at /dashboard/style.css.
// Laptop first; under 40rem the figures take two columns and table rows become cards.
#include "http/dashboard_pages.hpp"

namespace recoupd::http::dashboard_pages {

namespace {

constexpr std::string_view css = R"css(:root {
  --ink: #1d2330; --muted: #5d6677; --line: #dde2ea; --panel: #ffffff; --page: #f3f5f8;
  --accent: #1f6feb; --good: #1a7f37; --bad: #c4312b; --warn: #9a6700;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: var(--ink); background: var(--page);
}
* { box-sizing: border-box; }
body { margin: 0; line-height: 1.4; }
a { color: var(--accent); }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85em; overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
h3 { font-size: .95rem; margin: .75rem 0 .25rem; color: var(--muted); }
.topbar { display: flex; align-items: center; justify-content: space-between; gap: 1rem;
  padding: .6rem 1.25rem; background: var(--ink); }
.topbar .brand { color: #fff; font-weight: 700; text-decoration: none; letter-spacing: .02em; }
.topbar button { background: transparent; color: #fff; border: 1px solid #8a93a6; border-radius: .4rem;
  padding: .3rem .8rem; font: inherit; cursor: pointer; }
main { max-width: 78rem; margin: 0 auto; padding: 1.25rem; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: .6rem; padding: 1rem;
  margin: 0 0 1.25rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .75rem; margin: 0 0 1.25rem; }
.figure { background: var(--panel); border: 1px solid var(--line); border-radius: .6rem; padding: .75rem 1rem; }
.figure .label { display: block; color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
.figure .value { display: block; font-size: 1.45rem; font-weight: 650; margin-top: .2rem; overflow-wrap: anywhere; }
.chart { display: block; width: 100%; height: auto; }
.chart .bar { fill: var(--accent); }
.chart .bar:hover { fill: #0b4fb8; }
.chart .base { stroke: var(--line); stroke-width: 1; }
.chart .axis { fill: var(--muted); font-size: 12px; }
.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: flex-end; margin: 0 0 1rem; }
.filters label, .login label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); gap: .2rem; }
input, select { font: inherit; color: var(--ink); padding: .35rem .5rem; border: 1px solid #c3cad6; border-radius: .35rem;
  background: #fff; min-width: 9rem; }
button { font: inherit; }
.actions { display: flex; gap: .75rem; align-items: center; }
.actions button { background: var(--accent); color: #fff; border: 0; border-radius: .35rem; padding: .45rem 1rem; cursor: pointer; }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: .9rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: .78rem; text-transform: uppercase; letter-spacing: .03em; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: #f7f9fc; }
.status { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-size: .8rem; background: #eef1f5; white-space: nowrap; }
.status-succeeded { background: #dcf3e2; color: var(--good); }
.status-failed { background: #fbe3e1; color: var(--bad); }
.status-processing { background: #fdf1d3; color: var(--warn); }
.pages { display: flex; gap: 1rem; margin-top: .75rem; }
.empty { color: var(--muted); }
.error { color: var(--bad); font-weight: 600; }
.count { color: var(--muted); font-weight: 400; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .5rem 1.5rem;
  background: var(--panel); border: 1px solid var(--line); border-radius: .6rem; padding: 1rem; margin: 0 0 1.25rem; }
.facts dt { color: var(--muted); font-size: .78rem; text-transform: uppercase; letter-spacing: .03em; }
.facts dd { margin: .1rem 0 0; overflow-wrap: anywhere; }
.login { max-width: 26rem; margin: 3rem auto; }
.login input { width: 100%; }
.login .actions { margin-top: 1rem; }
@media (max-width: 40rem) {
  main { padding: .75rem; }
  .figures { grid-template-columns: 1fr 1fr; gap: .5rem; }
  .figure .value { font-size: 1.15rem; }
  .chart .axis { font-size: 32px; }
  .filters label { flex: 1 1 45%; }
  input, select { min-width: 0; width: 100%; }
  thead { display: none; }
  table, tbody, tr, td { display: block; width: 100%; }
  tr { border: 1px solid var(--line); border-radius: .5rem; margin: 0 0 .6rem; padding: .3rem .2rem; }
  td { border: 0; padding: .2rem .5rem; display: flex; gap: .75rem; justify-content: space-between; }
  td::before { content: attr(data-label); color: var(--muted); font-size: .78rem; flex: 0 0 6.5rem; }
  td.num { text-align: left; }
}
)css";

} // namespace

std::string_view stylesheet() { return css; }

} // namespace recoupd::http::dashboard_pages
