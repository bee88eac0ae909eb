"""A model attached to a page while another thread serializes a patch must still be sent in
full (app/doc_sync.py). Without the lock, the attach lands in the middle of Bokeh's rewrite of
its "new models" set: the set changes size during iteration, or the model is dropped from it and
later sent as a bare reference the browser never received (found by `just load`)."""

from __future__ import annotations

import threading

from bokeh.document import Document
from bokeh.models import Column, Div

from app import doc_sync


def test_a_model_attached_during_a_flush_is_still_sent_in_full():
    doc_sync.install()
    doc_sync.install()  # idempotent: one lock, not two wrappers
    doc = Document()
    root = Column()
    doc.add_root(root)
    doc.models.flush_synced()
    sent = Div(text="sent")
    root.children = [sent]
    late = Div(text="attached meanwhile")
    attacher = threading.Thread(target=lambda: setattr(root, "children", [sent, late]))

    def is_still_new(model) -> bool:  # runs inside flush_synced, once per new model
        if not attacher.is_alive() and attacher.ident is None:
            attacher.start()
            attacher.join(0.3)  # with the lock the attach waits for this flush to end
        return False

    doc.models.flush_synced(is_still_new)
    attacher.join(5)
    assert not attacher.is_alive()
    assert late in root.children
    assert late not in doc.models.synced_references, \
        "a model the page never received would be sent as a bare reference"
    assert sent in doc.models.synced_references
