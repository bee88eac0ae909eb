"""A plain HTML table for one page of rows, drawn in the browser from pre-formatted cells.

Why not Tabulator: the campaign table shows one page that the server has already sorted, so
none of Tabulator's client-side machinery is used, yet each new page cost ~300 ms of the
browser's time (it measures every cell and row to size its virtual viewport). Here a page is
one message (`page`: cells as text, highlighted cells) and one `<tbody>` rebuilt from text
nodes; a header click sets `sort` ("field:asc|desc"), which the server turns into a query.
Cells are set with `textContent`, never as HTML, so text from the data is never markup.
"""

from __future__ import annotations

import param
from panel.custom import JSComponent

CSS = """
:host { display: block; width: 100%; }
.grid-wrap { overflow: auto; max-height: 72vh; border: 1px solid #dde3ea; border-radius: 6px; }
table { border-collapse: separate; border-spacing: 0; width: max-content; min-width: 100%;
  font-size: 0.86em; font-variant-numeric: tabular-nums; color: #1d2733; }
th, td { padding: 5px 10px; border-bottom: 1px solid #edf0f3; white-space: nowrap;
  text-align: left; background: #fff; }
th { position: sticky; top: 0; z-index: 2; background: #f3f6f9; font-weight: 650;
  border-bottom: 1px solid #cfd7df; }
th:first-child, td:first-child { position: sticky; left: 0; z-index: 1;
  border-right: 1px solid #e3e8ee; }
th:first-child { z-index: 3; }
.num { text-align: right; }
tbody tr:hover td { background: #f7f9fb; }
td.hot { background: #fde7e4; color: #8a1c12; font-weight: 600; }
th button { all: unset; cursor: pointer; display: inline-flex; gap: 4px; align-items: center; }
th button:focus-visible { outline: 2px solid #1a73e8; outline-offset: 2px; }
th.fixed button { cursor: default; color: #6b7785; }
th .arrow { color: #1a73e8; font-size: 0.8em; min-width: 0.8em; }
tr.open { cursor: pointer; }
tr.open:hover td { background: #eef4fb; }
tr.open:focus-visible td { outline: 2px solid #1a73e8; outline-offset: -2px; }
"""


class PageGrid(JSComponent):
    """`columns`: [{"field", "title", "numeric"}]; `page`: {"rows": [[text, ...]],
    "hot": [[row, column], ...], "keys": [key of each row] (optional: rows with a key open
    on a click or Enter, `on_open(key)`)}; `sort`: the order shown, set by a header click;
    `unsortable`: fields whose header does not sort (shown, not clickable); `kind`: which table
    this is, as the table's `data-grid` (several grids can be on the page at once)."""

    columns = param.List(default=[])
    page = param.Dict(default={"rows": [], "hot": []})
    sort = param.String(default="")
    unsortable = param.List(default=[])
    kind = param.String(default="", constant=True)

    _stylesheets = [CSS]

    _esm = """
function sortOf(model) {
  const [field, dir] = (model.sort || ":").split(":");
  return { field, dir };
}

export function render({ model }) {
  const wrap = document.createElement("div");
  wrap.className = "grid-wrap";
  const table = document.createElement("table");
  table.className = "cbi-grid";
  table.dataset.grid = model.kind;
  const head = table.createTHead();
  const body = table.createTBody();
  wrap.append(table);

  function drawHead() {
    const { field, dir } = sortOf(model);
    const row = document.createElement("tr");
    for (const column of model.columns) {
      const th = document.createElement("th");
      th.dataset.field = column.field;
      if (column.numeric) th.classList.add("num");
      const button = document.createElement("button");
      button.type = "button";
      const title = document.createElement("span");
      title.textContent = column.title;
      const arrow = document.createElement("span");
      arrow.className = "arrow";
      button.append(title, arrow);
      if (model.unsortable.includes(column.field)) {
        th.classList.add("fixed");
        button.disabled = true;
        button.title = "Not sortable over this many campaigns";
      } else {
        button.addEventListener("click", () => {
          const now = sortOf(model);
          const next = now.field === column.field
            ? (now.dir === "desc" ? "asc" : "desc")
            : (column.numeric ? "desc" : "asc");
          model.sort = `${column.field}:${next}`;
        });
      }
      if (column.field === field) {
        th.setAttribute("aria-sort", dir === "asc" ? "ascending" : "descending");
        arrow.textContent = dir === "asc" ? "▲" : "▼";
      }
      th.append(button);
      row.append(th);
    }
    head.replaceChildren(row);
  }

  function drawBody() {
    const { rows, hot } = model.page;
    const marked = new Set((hot || []).map(([r, c]) => `${r}:${c}`));
    const numeric = model.columns.map((column) => column.numeric);
    const fragment = document.createDocumentFragment();
    const keys = model.page.keys || [];
    rows.forEach((cells, r) => {
      const tr = document.createElement("tr");
      if (r < keys.length && keys[r] !== null) {
        tr.className = "open";
        tr.tabIndex = 0;
        tr.title = "Open this row's detail";
        const open = () => model.send_msg({ open: keys[r] });
        tr.addEventListener("click", open);
        tr.addEventListener("keydown", (event) => { if (event.key === "Enter") open(); });
      }
      cells.forEach((text, c) => {
        const td = document.createElement("td");
        td.dataset.field = model.columns[c].field;
        td.textContent = text;
        if (numeric[c]) td.className = "num";
        if (marked.has(`${r}:${c}`)) td.classList.add("hot");
        tr.append(td);
      });
      fragment.append(tr);
    });
    body.replaceChildren(fragment);
  }

  drawHead();
  drawBody();
  model.on("columns", () => { drawHead(); drawBody(); });
  model.on(["sort", "unsortable"], drawHead);
  model.on("page", drawBody);
  return wrap;
}
"""

    def __init__(self, on_open=None, **params):
        super().__init__(**params)
        self.on_open = on_open

    def _handle_msg(self, msg) -> None:
        if self.on_open is not None and isinstance(msg, dict) and "open" in msg:
            self.on_open(msg["open"])
