"""The filters in force as removable chips ("Project: Kings Way ×"), above the KPI cards.

One small component: a change sends the list of chips (text), never new models; a click on a
chip's × sends its key and value back. Text is set with `textContent`, never as HTML.
"""

from __future__ import annotations

from collections.abc import Callable

import param
from panel.custom import JSComponent

CSS = """
:host { display: block; width: 100%; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; min-height: 28px; }
.chip { display: inline-flex; align-items: center; gap: 4px; max-width: 100%;
  padding: 2px 4px 2px 10px; border-radius: 14px; background: #e8f0fb; color: #173a66;
  border: 1px solid #c5d7ef; font-size: 0.85em; }
.chip span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.chip button, .clear { all: unset; cursor: pointer; border-radius: 10px; }
.chip button { padding: 0 6px; font-weight: 700; color: #3b5c86; }
.chip button:hover { background: #c5d7ef; }
.clear { font-size: 0.85em; color: #1a5fb4; padding: 2px 6px; text-decoration: underline; }
.chip button:focus-visible, .clear:focus-visible { outline: 2px solid #1a73e8; }
.none { font-size: 0.85em; color: #8a94a0; }
"""


class FilterChips(JSComponent):
    """`chips`: [{"key", "value", "label"}]; `on_remove(key, value)` is called for a chip's ×
    (key "*": clear all)."""

    chips = param.List(default=[])

    _stylesheets = [CSS]

    _esm = """
export function render({ model }) {
  const box = document.createElement("div");
  box.className = "chips";
  function draw() {
    const items = [];
    for (const chip of model.chips) {
      const item = document.createElement("span");
      item.className = "chip";
      item.dataset.key = chip.key;
      const text = document.createElement("span");
      text.textContent = chip.label;
      text.title = chip.label;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", `Remove filter ${chip.label}`);
      remove.addEventListener("click", () => model.send_msg({ key: chip.key, value: chip.value }));
      item.append(text, remove);
      items.push(item);
    }
    if (model.chips.length > 1) {
      const clear = document.createElement("button");
      clear.type = "button";
      clear.className = "clear";
      clear.textContent = "Clear all";
      clear.addEventListener("click", () => model.send_msg({ key: "*", value: null }));
      items.push(clear);
    }
    if (!items.length) {
      const none = document.createElement("span");
      none.className = "none";
      none.textContent = "No filters: all data. Click a bar, slice or period to filter.";
      items.push(none);
    }
    box.replaceChildren(...items);
  }
  draw();
  model.on("chips", draw);
  return box;
}
"""

    def __init__(self, on_remove: Callable[[str, object], None], **params):
        super().__init__(**params)
        self._on_remove = on_remove

    def _handle_msg(self, msg) -> None:
        if isinstance(msg, dict) and isinstance(msg.get("key"), str):
            self._on_remove(msg["key"], msg.get("value"))
