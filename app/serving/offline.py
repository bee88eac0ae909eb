"""Keeping a served session's page offline: every stylesheet URL points at the server's own
copy of Panel's files (`panel serve` serves them), never at cdn.holoviz.org.

Panel gives components CDN URLs while a session is being built and rewrites them to local ones
when it renders the page's HTML. A session that Bokeh builds anew when the page's websocket
connects (the first one expired while a slow browser was still loading its scripts) never gets
that rewrite, and its page would fetch every stylesheet from the CDN. So the session says where
its files are before anything is built (`before_build`) and rewrites what was built without
Panel's own rewrite (e.g. `Divider`) itself (`after_build`). Relies on Panel 1.9 internals
(`Document._template_variables["dist_url"]`, `patch_model_css`), checked by
tests/browser/test_browser_offline.py.
"""

from __future__ import annotations

import panel as pn
from panel.io.resources import LOCAL_DIST, patch_model_css


def _dist_url() -> str:
    rel_path = pn.state.rel_path
    return f"{rel_path}/{LOCAL_DIST}" if rel_path else LOCAL_DIST


def before_build() -> None:
    """Components built from here on get local stylesheet URLs."""
    doc = pn.state.curdoc
    if doc is not None and "dist_url" not in doc._template_variables:
        doc._template_variables["dist_url"] = _dist_url()


def after_build() -> None:
    """Rewrite the URLs of everything on the page to local ones (as Panel does when it renders
    the page's HTML)."""
    doc = pn.state.curdoc
    if doc is None:
        return
    dist_url = doc._template_variables.get("dist_url") or _dist_url()
    for root in doc.roots:
        patch_model_css(root, dist_url=dist_url)
