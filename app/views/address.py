"""The page's address kept equal to its view, and a "Copy link" button.

Panel's `pn.state.location` writes the URL but does not hear the browser's back and forward
buttons (no `popstate` listener in Panel 1.9), so this small component does both: a new
`query` from the server becomes a history entry (`push`) or replaces the current one; a step
back or forward sends the entry's query to the server, which restores that view.
"""

from __future__ import annotations

import param
from panel.custom import JSComponent

CSS = """
:host { display: inline-block; }
button { font: inherit; font-size: 0.85em; padding: 4px 12px; border-radius: 4px;
  border: 1px solid #1a5fb4; background: #fff; color: #1a5fb4; cursor: pointer;
  white-space: nowrap; }
button:hover { background: #eef4fb; }
button:focus-visible { outline: 2px solid #1a73e8; outline-offset: 2px; }
"""


class AddressBar(JSComponent):
    """`query`: the view's query string (no "?"), set by the browser on back/forward; `entry`:
    {"query", "push"} from the server: the address to show, as a new history entry (a user's
    change) or replacing the current one (a correction). One parameter, so the browser gets
    both at once."""

    query = param.String(default="")
    entry = param.Dict(default={})

    def show(self, query: str, push: bool) -> None:
        # numbered: the same address sent again still reaches the browser (after a restore,
        # whose address the browser may have lost to an entry that crossed its Back)
        self._sent = getattr(self, "_sent", 0) + 1
        self.param.update(query=query, entry={"query": query, "push": push, "n": self._sent})

    _stylesheets = [CSS]

    _esm = """
function current() { return window.location.search.replace(/^\\?/, ""); }

function write(query, push) {
  if (query === current()) return;
  const url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
  if (push) window.history.pushState({ cbi: true }, "", url);
  else window.history.replaceState({ cbi: true }, "", url);
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (error) {  // not a secure context (plain http on a LAN host): the old way
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    let done = false;
    try { done = document.execCommand("copy"); } catch (ignored) { done = false; }
    area.remove();
    return done;
  }
}

export function render({ model }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "cbi-copy-link";
  button.textContent = "Copy link";
  button.title = "Copy a link to this view (filters, tab, grain, sort and page)";
  button.addEventListener("click", async () => {
    const ok = await copy(window.location.href);
    button.textContent = ok ? "Link copied" : "Copy the address bar";
    setTimeout(() => { button.textContent = "Copy link"; }, 2000);
  });
  write(model.query, false);  // the opened link, written as the page understood it
  model.on("entry", () => write(model.entry.query, model.entry.push));
  const onPop = () => { model.query = current(); };
  window.addEventListener("popstate", onPop);
  model.on("remove", () => window.removeEventListener("popstate", onPop));
  return button;
}
"""
